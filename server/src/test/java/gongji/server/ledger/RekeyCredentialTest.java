package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The ledger's side of a rotation of the identity key: a credential keyed again under the current
 * key replaces the older form in the person's record and index, and changes nothing when the person
 * no longer holds the older form or another person holds the new one; a registration refuses a
 * credential another person holds under an older key. Every command is journaled and read back
 * into a second ledger, which ends in the same snapshot bytes (replay gives the same state).
 */
class RekeyCredentialTest {
  private static final String P = "PSNP";
  private static final String Q = "PSNQ";

  private final Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
  private final List<Command> journaled = new ArrayList<>();
  private long now = 1_772_413_200_000L;

  /** A keyed number's shape: the generation, then 43 characters standing for the hash of the card {@code card}. */
  private static String keyed(int generation, String card) {
    return "k" + generation + ":" + (card + "_".repeat(43)).substring(0, 43);
  }

  private static Credential id(int generation, String card) {
    return new Credential(CredentialType.ID_CARD, keyed(generation, card));
  }

  private static Credential ssc(int generation, String card) {
    return new Credential(CredentialType.SOCIAL_SECURITY_CARD, keyed(generation, card));
  }

  private static Insured person(String psnNo, Credential... credentials) {
    return new Insured(psnNo, "人", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL, "620100",
        Arrays.asList(credentials));
  }

  /** Applies {@code c} as the sequencer does: encoded for the journal, then applied. */
  private Result apply(Command c) {
    CommandCodec.Output out = new CommandCodec.Output(64);
    CommandCodec.encode(c, out);
    Command read = CommandCodec.decode(ByteBuffer.wrap(Arrays.copyOf(out.array(), out.size())));
    assertEquals(c, read, "the journal gives back the command");
    journaled.add(read);
    now += 1_000;
    return ledger.apply(c, now);
  }

  private Map<String, String> owners(Credential... credentials) {
    Map<String, String> out = new TreeMap<>();
    for (Credential c : credentials) {
      Object owner = ledger.apply(new Command.LoadReference(Command.ReferenceKind.CREDENTIAL_OWNER, c), now);
      out.put(c.number(), String.valueOf(((Result.Reference) owner).value()));
    }
    return out;
  }

  private List<Credential> credentialsOf(String psnNo) {
    Result r = ledger.apply(new Command.LoadReference(Command.ReferenceKind.INSURED, psnNo), now);
    return ((Insured) ((Result.Reference) r).value()).credentials();
  }

  @Test
  void rekey_olderFormHeld_replacedInPlace_otherwiseNothingChanges() {
    apply(new Command.UpsertInsured(person(P, ssc(1, "S"), id(1, "A"))));
    apply(new Command.UpsertInsured(person(Q, id(2, "C"))));

    assertEquals(new Result.Done(), apply(new Command.RekeyCredential(P, id(1, "A"), id(2, "A"))));
    assertEquals(List.of(ssc(1, "S"), id(2, "A")), credentialsOf(P), "in place, the other card untouched");
    assertEquals(Map.of(keyed(1, "A"), "null", keyed(2, "A"), P), owners(id(1, "A"), id(2, "A")));

    // Sent twice (two counters at once), or for a card the person does not hold: nothing changes.
    apply(new Command.RekeyCredential(P, id(1, "A"), id(2, "A")));
    apply(new Command.RekeyCredential(Q, ssc(1, "S"), ssc(2, "S")));
    apply(new Command.RekeyCredential("NOBODY", id(1, "A"), id(2, "A")));
    // The new form held by another person (registered meanwhile): P keeps the older form.
    apply(new Command.UpsertInsured(person(P, ssc(1, "S"), id(2, "A"), id(1, "C"))));
    apply(new Command.RekeyCredential(P, id(1, "C"), id(2, "C")));
    assertEquals(List.of(ssc(1, "S"), id(2, "A"), id(1, "C")), credentialsOf(P));
    assertEquals(List.of(id(2, "C")), credentialsOf(Q));

    Ledger.KeyedNumbers n = ledger.keyedNumbers();
    assertEquals(Map.of(1, 2L, 2, 2L), n.credentials());
    assertReplayedAlike();
  }

  @Test
  void upsertInsured_credentialHeldUnderAnOlderKeyByAnother_refused_ownOlderFormsReplaced() {
    apply(new Command.UpsertInsured(person(P, id(1, "A"))));

    Result refused = apply(new Command.UpsertInsured(person(Q, id(2, "A")), List.of(id(1, "A"))));
    assertTrue(refused instanceof Result.Rejected r && r.outcome() == Outcome.CREDENTIAL_IN_USE, refused.toString());
    assertEquals(Map.of(keyed(1, "A"), P, keyed(2, "A"), "null"), owners(id(1, "A"), id(2, "A")));

    // P registered again by the agency: the current key's form replaces the older one.
    assertEquals(new Result.Done(), apply(new Command.UpsertInsured(person(P, id(2, "A")), List.of(id(1, "A")))));
    assertEquals(List.of(id(2, "A")), credentialsOf(P));
    assertEquals(Map.of(keyed(1, "A"), "null", keyed(2, "A"), P), owners(id(1, "A"), id(2, "A")));
    assertReplayedAlike();
  }

  /** A second ledger fed the journaled commands at the same times ends in the same snapshot. */
  private void assertReplayedAlike() {
    Ledger replayed = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    long at = 1_772_413_200_000L;
    for (Command c : journaled) {
      at += 1_000;
      replayed.apply(c, at);
    }
    assertArrayEquals(snapshot(ledger), snapshot(replayed));
  }

  private static byte[] snapshot(Ledger l) {
    CommandCodec.Output out = new CommandCodec.Output(1024);
    l.snapshot(out);
    return Arrays.copyOf(out.array(), out.size());
  }
}
