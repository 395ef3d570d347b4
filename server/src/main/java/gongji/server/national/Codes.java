package gongji.server.national;

import com.fasterxml.jackson.databind.JsonNode;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.MedicalType;

/**
 * The code values of the national interface and our types: {@code mdtrt_cert_type},
 * {@code med_type}, {@code insutype}, {@code psn_insu_stas}. A code we do not serve is a field error
 * that names the field, the value and the codes we take.
 */
final class Codes {
  private Codes() {}

  /** The credential of {@code mdtrt_cert_type}/{@code mdtrt_cert_no}; null when both are absent and optional. */
  static Credential credential(JsonNode d, boolean required) {
    String type = Fields.optional(d, "mdtrt_cert_type", 3);
    String number = Fields.optional(d, "mdtrt_cert_no", 64);
    Fields.optional(d, "card_sn", 50);
    if (type == null && number == null && !required) {
      return null;
    }
    if (type == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段mdtrt_cert_type",
          "mdtrt_cert_type: missing (expected: 01, 02 or 03)");
    }
    CredentialType t = switch (type) {
      case "01" -> CredentialType.E_CREDENTIAL;
      case "02" -> CredentialType.ID_CARD;
      case "03" -> CredentialType.SOCIAL_SECURITY_CARD;
      default -> throw Fields.invalid("mdtrt_cert_type", type, "应为01（电子凭证）、02（身份证）或03（社保卡）",
          "expected: 01, 02 or 03");
    };
    if (number == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段mdtrt_cert_no",
          "mdtrt_cert_no: missing (expected: the credential's number)");
    }
    for (int i = 0; i < number.length(); i++) {
      char ch = number.charAt(i);
      if (ch <= 0x20 || ch >= 0x7f) {
        throw Fields.invalid("mdtrt_cert_no", number, "含有非法字符", "expected: printable ASCII");
      }
    }
    return new Credential(t, number);
  }

  /** {@code mdtrt_cert_type} of a credential; null for none. */
  static String certType(Credential c) {
    if (c == null) {
      return null;
    }
    return switch (c.type()) {
      case E_CREDENTIAL -> "01";
      case ID_CARD -> "02";
      case SOCIAL_SECURITY_CARD -> "03";
    };
  }

  static MedicalType medicalType(String medType) {
    return switch (medType) {
      case "41" -> MedicalType.PHARMACY;
      case "11", "14" -> MedicalType.OUTPATIENT;
      default -> throw Fields.invalid("med_type", medType, "不是本网关支持的医疗类别（11、14、41）",
          "expected: 41 (pharmacy), 11 or 14 (outpatient)");
    };
  }

  /** {@code med_type} of a sale; null for the kinds the interface has no code for. */
  static String medTypeCode(MedicalType t) {
    return switch (t) {
      case PHARMACY -> "41";
      case OUTPATIENT -> "11";
      case INPATIENT -> "21";
      case VACCINATION, HEALTH_CHECKUP -> null;
    };
  }

  static String insutype(InsuranceType t) {
    return switch (t) {
      case EMPLOYEE_BASIC -> "310";
      case RESIDENT_BASIC -> "390";
    };
  }

  static String insuredStatus(InsuredStatus s) {
    return switch (s) {
      case NORMAL -> "1";
      case SUSPENDED -> "2";
      case TERMINATED, DECEASED -> "3";
    };
  }
}
