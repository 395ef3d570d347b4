package gongji.server.domain;

/** The kind of care a sale is for. */
public enum MedicalType {
  PHARMACY,
  OUTPATIENT,
  INPATIENT,
  VACCINATION,
  HEALTH_CHECKUP
}
