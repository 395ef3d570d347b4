package gongji.server.ledger;

import gongji.server.domain.RegionPolicy;

/**
 * The policy that governs a person's or an institution's area, resolved once and kept with them,
 * with the two things the hot path asks of it (the categories its accounts pay for, its province),
 * until a policy is set or the area changes ({@link Registry} keeps the generation).
 *
 * <p>{@link PersonState} and {@link InstitutionState} extend it for its fields alone, so that the
 * cache lies in their own object: a million persons do not carry a million more objects for the
 * collector to copy when a snapshot is loaded.
 */
abstract class PolicyCache {
  RegionPolicy policy;
  int payableMask;
  String province;
  long generation = -1;

  final void forgetPolicy() {
    generation = -1;
  }
}
