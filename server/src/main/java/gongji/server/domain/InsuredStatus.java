package gongji.server.domain;

/** Insured status (`psn_insu_stas`, plus death). Only {@link #NORMAL} may pay or be paid for. */
public enum InsuredStatus {
  NORMAL,
  SUSPENDED,
  TERMINATED,
  DECEASED
}
