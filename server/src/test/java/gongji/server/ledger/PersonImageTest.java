package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Persons read from a snapshot keep their record as its bytes until asked for ({@link PersonState}):
 * every question and change sees the record the image held, and a ledger writes the same image
 * whether or not its persons' records were made; the check after a start finds a record kept as
 * bytes that its encoder would not have written.
 */
class PersonImageTest {
  private static final long NOW = 1_772_413_200_000L;
  private static final long SEQ = 7;
  private static final Credential CARD = new Credential(CredentialType.SOCIAL_SECURITY_CARD, "k1:card-1");
  private static final Credential ID = new Credential(CredentialType.ID_CARD, "k1:id-1");
  private static final Insured ZHANG = new Insured("P1", "张伟", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL,
      "620102", List.of(CARD, ID));
  private static final Insured LI = new Insured("P2", "李娜", InsuranceType.RESIDENT_BASIC, InsuredStatus.NORMAL,
      "620102", List.of());

  private static Ledger registered() {
    Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    assertInstanceOf(Result.Done.class, ledger.apply(new Command.UpsertInsured(ZHANG), NOW));
    assertInstanceOf(Result.Done.class, ledger.apply(new Command.UpsertInsured(LI), NOW));
    return ledger;
  }

  private static Ledger restored(byte[] image) {
    return Ledger.restore(ByteBuffer.wrap(image), LedgerStates.WINDOW, ReferenceListener.NONE);
  }

  private static Object reference(Ledger ledger, Command.ReferenceKind kind, Object key) {
    return ((Result.Reference) ledger.apply(new Command.LoadReference(kind, key), NOW)).value();
  }

  @Test
  void restore_recordsNotAskedFor_writeTheSameImage() {
    byte[] image = LedgerStates.bytes(registered());
    Ledger restored = restored(image);
    assertArrayEquals(image, LedgerStates.bytes(restored));
    // Once made from the image, a record writes out the same again.
    assertEquals(ZHANG, reference(restored, Command.ReferenceKind.INSURED, "P1"));
    assertArrayEquals(image, LedgerStates.bytes(restored));
  }

  @Test
  void restore_personAskedFor_isTheRecordRegistered() {
    Ledger restored = restored(LedgerStates.bytes(registered()));
    assertEquals(ZHANG, reference(restored, Command.ReferenceKind.INSURED, "P1"));
    assertEquals(LI, reference(restored, Command.ReferenceKind.INSURED, "P2"));
    assertEquals("P1", reference(restored, Command.ReferenceKind.CREDENTIAL_OWNER, CARD));
    assertEquals("P1", reference(restored, Command.ReferenceKind.CREDENTIAL_OWNER, ID));
  }

  @Test
  void upsert_ofAPersonStillAnImage_freesTheCredentialsTheyNoLongerHold() {
    Ledger restored = restored(LedgerStates.bytes(registered()));
    Insured moved = new Insured("P1", "张伟", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL, "620200",
        List.of(CARD));
    assertInstanceOf(Result.Done.class, restored.apply(new Command.UpsertInsured(moved), NOW));
    assertEquals(moved, reference(restored, Command.ReferenceKind.INSURED, "P1"));
    assertNull(reference(restored, Command.ReferenceKind.CREDENTIAL_OWNER, ID));
    assertEquals("P1", reference(restored, Command.ReferenceKind.CREDENTIAL_OWNER, CARD));
    // The same changes on the ledger that was never written out give the same image.
    Ledger original = registered();
    original.apply(new Command.UpsertInsured(moved), NOW);
    assertArrayEquals(LedgerStates.bytes(original), LedgerStates.bytes(restored));
  }

  @Test
  void restore_personWithABadStatusCode_isRefusedAtOnce() {
    byte[] image = LedgerStates.bytes(registered());
    // The status code follows the number and the name: P1's entry is "\2P1" then "\6张伟" (UTF-8), then type, status.
    byte[] name = "张伟".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int at = indexOf(image, name) + name.length + 1;
    assertEquals(InsuredStatus.NORMAL.code(), image[at]);
    image[at] = (byte) 0x7f;
    assertThrows(IllegalArgumentException.class, () -> restored(image));
  }

  @Test
  void checkAfterStart_aKeptRecordWhoseBytesDecodeToAnotherName_isCaught() throws Exception {
    byte[] image = Snapshots.image(registered(), SEQ);
    Snapshots.checkAfterStart(Snapshots.decode(image, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger(),
        image, SEQ); // as written: passes
    // P1's name, same length, as bytes that are not UTF-8: the record made from them is another name.
    byte[] name = "张伟".getBytes(StandardCharsets.UTF_8);
    int at = indexOf(image, name);
    java.util.Arrays.fill(image, at, at + name.length, (byte) 0xff);
    assertCaught(SnapshotFrames.resealed(image));
  }

  @Test
  void checkAfterStart_aKeptRecordWrittenWithALongerLengthThanItsEncoder_isCaught() throws Exception {
    byte[] written = Snapshots.image(registered(), SEQ);
    // P1's record is its length, its command type, "\2P1", then the name's length (6) and the name: the same
    // length in two bytes (0x86 0x00) decodes to the same name, and is not what its encoder writes.
    byte[] name = "张伟".getBytes(StandardCharsets.UTF_8);
    int length = indexOf(written, name) - 1;
    assertEquals(name.length, written[length]);
    int recordLength = length - 5;
    byte[] image = new byte[written.length + 1];
    System.arraycopy(written, 0, image, 0, length);
    image[length] = (byte) (0x80 | name.length);
    image[length + 1] = 0;
    System.arraycopy(written, length + 1, image, length + 2, written.length - length - 1);
    image[recordLength]++;
    assertCaught(SnapshotFrames.resealed(image));
  }

  /**
   * The image decodes (the start's own check), the ledger's write-out alone gives the very same bytes
   * back (the record kept as bytes is copied), and the check after the start finds the record.
   */
  private static void assertCaught(byte[] image) throws Exception {
    Ledger decoded = Snapshots.decode(image, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertArrayEquals(image, Snapshots.image(decoded, SEQ), "the write-out copies the kept bytes");
    Ledger again = Snapshots.decode(image, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    Snapshots.CorruptSnapshotException e = assertThrows(Snapshots.CorruptSnapshotException.class,
        () -> Snapshots.checkAfterStart(again, image, SEQ));
    assertTrue(e.getMessage().contains("person 0 in registration order") && e.getMessage().contains("kept as bytes"),
        e::getMessage);
    assertFalse(e.getMessage().contains("P1"), "the person named masked: " + e.getMessage());
  }


  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not in the image");
  }
}
