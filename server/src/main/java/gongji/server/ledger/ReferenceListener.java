package gongji.server.ledger;

import gongji.server.domain.Institution;
import gongji.server.domain.Insured;
import gongji.server.domain.RegionPolicy;

/**
 * Told, on the sequencer thread, of every change to reference data the ledger owns, so that the
 * read side (the caches in front of the ledger) can follow. Must not block.
 */
public interface ReferenceListener {
  ReferenceListener NONE = new ReferenceListener() {};

  default void institutionChanged(Institution institution) {}

  default void insuredChanged(Insured before, Insured after) {}

  default void policyChanged(RegionPolicy policy) {}
}
