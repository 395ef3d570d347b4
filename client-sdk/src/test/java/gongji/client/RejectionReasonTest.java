package gongji.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.v1.ErrorReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SDK knows every reason the wire can name: none arrives as UNKNOWN. */
class RejectionReasonTest {
  @Test
  void everyErrorReasonOfTheWire_isARejectionReasonOfTheSameName() {
    List<String> unknown = new ArrayList<>();
    for (ErrorReason r : ErrorReason.values()) {
      if (r != ErrorReason.ERROR_REASON_UNSPECIFIED && r != ErrorReason.UNRECOGNIZED
          && RejectionReason.of(r.name()) == RejectionReason.UNKNOWN) {
        unknown.add(r.name());
      }
    }

    assertEquals(List.of(), unknown);
  }

  @Test
  void of_aNameTheSdkDoesNotKnow_isUnknown() {
    assertEquals(RejectionReason.UNKNOWN, RejectionReason.of("SOMETHING_NEW"));
    assertEquals(RejectionReason.UNKNOWN, RejectionReason.of(null));
    assertEquals(RejectionReason.WALLET_TRANSFER_NOT_FOUND, RejectionReason.of("WALLET_TRANSFER_NOT_FOUND"));
  }
}
