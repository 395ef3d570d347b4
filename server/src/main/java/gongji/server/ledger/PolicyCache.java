package gongji.server.ledger;

import gongji.server.domain.RegionPolicy;

/**
 * The policy that governs a person's or an institution's area, resolved once and kept with them,
 * with the two things the hot path asks of it (the categories its accounts pay for, its province),
 * until a policy is set or the area changes ({@link Registry} keeps the generation).
 */
final class PolicyCache {
  RegionPolicy policy;
  int payableMask;
  String province;
  long generation = -1;

  void forget() {
    generation = -1;
  }
}
