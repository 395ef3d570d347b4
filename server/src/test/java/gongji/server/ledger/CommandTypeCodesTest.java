package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The type byte each journaled command is written with is part of the journal's format: a journal
 * written by one version is read by the next, so a byte may be added, never changed or reused. This
 * test fails when one changes.
 */
class CommandTypeCodesTest {
  private static final Map<String, Integer> PINNED = pinned(List.of(
      "RegisterInstitution", 1, "UpsertInsured", 2, "SetRegionPolicy", 3, "CreateBinding", 4, "Credit", 5,
      "Authorize", 6, "Settle", 7, "Cancel", 8, "Refund", 9, "Reverse", 10, "Reject", 11, "Tick", 12,
      "RequestBinding", 13, "ReviewBinding", 14, "DissolveBinding", 15, "RecordDeath", 16, "PayOutToHeirs", 17,
      "PayPremium", 18, "RecordAlert", 19, "UpdateBindingQuota", 20, "OpenWallet", 21, "AssignWalletQuota", 22,
      "AnswerWalletTransfer", 23, "Sweep", 24, "Recalled", 25, "Idempotent", 26, "MoveClock", 27,
      "Reject without alert", 28, "UpdateRegionPolicy", 29, "Reject naming", 40, "RecordAlert naming", 41,
      "Sweep with transfers", 55, "Sweep with ended transfers", 56, "Recalled with transfers", 57,
      "RekeyCredential", 58, "UpsertInsured across keys", 59));

  @Test
  void encode_everyCommandType_startsWithItsPinnedTypeByte() {
    Map<String, Integer> written = new TreeMap<>();
    ArbitraryCommands commands = new ArbitraryCommands(new SplittableRandom(7));
    for (int type = 0; type < ArbitraryCommands.TYPES; type++) {
      Command c = commands.of(type);
      if (c instanceof Command.Reject r && r.outcome() == Outcome.IMPERSONATION && !r.alert()) {
        written.put("Reject without alert", typeByte(c));
      } else if (c instanceof Command.Sweep s && s.ended()) {
        written.put("Sweep with ended transfers", typeByte(c));
      } else if (c instanceof Command.Sweep s && s.transfers()) {
        written.put("Sweep with transfers", typeByte(c));
      } else if (c instanceof Command.UpsertInsured u && !u.olderForms().isEmpty()) {
        written.put("UpsertInsured across keys", typeByte(c));
      } else if (c instanceof Command.Recalled r && !r.transfers().isEmpty()) {
        written.put("Recalled with transfers", typeByte(c));
      } else if (!(c instanceof Command.Reject r && r.alert() != (r.outcome() == Outcome.IMPERSONATION))) {
        written.put(c.getClass().getSimpleName(), typeByte(c));
      }
    }
    for (Command c : commands.naming()) {
      written.put(c.getClass().getSimpleName() + " naming", typeByte(c));
    }
    assertEquals(PINNED, written);
  }

  private static int typeByte(Command c) {
    CommandCodec.Output out = new CommandCodec.Output(16);
    CommandCodec.encode(c, out);
    return out.array()[0];
  }

  private static Map<String, Integer> pinned(List<Object> namesAndCodes) {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < namesAndCodes.size(); i += 2) {
      m.put((String) namesAndCodes.get(i), (Integer) namesAndCodes.get(i + 1));
    }
    return m;
  }
}
