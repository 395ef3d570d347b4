package gongji.server.history;

import gongji.server.ledger.HistoryStore;

class MemoryHistoryStoreTest extends HistoryStoreConformanceTest {
  @Override
  HistoryStore open() {
    return new MemoryHistoryStore();
  }
}
