package gongji.server.gateway;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Credential;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import java.util.List;

/**
 * An Authorize as the gateway receives it, validated at the edge.
 *
 * @param claimedPsnNo the person the patient says they are, or null
 * @param contentHash a hash of the whole request, for idempotency
 */
public record SaleRequest(
    String requestId,
    long contentHash,
    Terminal terminal,
    Credential credential,
    String claimedPsnNo,
    MedicalType medicalType,
    List<LineItem> items,
    boolean useAccount,
    boolean useMutualAid) {
  public SaleRequest {
    requireNonNull(requestId, "requestId");
    requireNonNull(terminal, "terminal");
    requireNonNull(credential, "credential");
    requireNonNull(medicalType, "medicalType");
    items = List.copyOf(items);
  }
}
