package gongji.server.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityKeyTest {
  private static final String ID = "62010219910909008X";
  private static final byte[] KEY_A = filled(1);
  private static final byte[] KEY_B = filled(2);

  @TempDir Path dir;

  private static byte[] filled(int b) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) b);
    return key;
  }

  @Test
  void credential_sameNumberSameKey_keyedAlike_andHoldsNoDigitOfIt() {
    IdentityKey key = IdentityKey.of(KEY_A);

    Credential kept = key.credential(new Credential(CredentialType.ID_CARD, ID));

    assertEquals(kept, key.credential(new Credential(CredentialType.ID_CARD, ID)));
    assertEquals(CredentialType.ID_CARD, kept.type());
    assertTrue(IdentityKey.isKeyed(kept.number()), kept.number());
    assertTrue(kept.number().length() <= 64, "fits a credential number: " + kept.number());
    assertFalse(kept.number().contains("620102"), kept.number());
  }

  @Test
  void credential_idCardCheckDigitInLowerCase_keyedAsInUpperCase() {
    IdentityKey key = IdentityKey.of(KEY_A);

    assertEquals(key.credential(new Credential(CredentialType.ID_CARD, ID)),
        key.credential(new Credential(CredentialType.ID_CARD, ID.toLowerCase())));
    // Other credentials are matched as given.
    assertNotEquals(key.credential(new Credential(CredentialType.E_CREDENTIAL, "abc")),
        key.credential(new Credential(CredentialType.E_CREDENTIAL, "ABC")));
  }

  @Test
  void credential_anotherKeyOrType_keyedOtherwise() {
    Credential card = new Credential(CredentialType.ID_CARD, ID);

    assertNotEquals(IdentityKey.of(KEY_A).credential(card), IdentityKey.of(KEY_B).credential(card));
    assertNotEquals(IdentityKey.of(KEY_A).credential(card).number(),
        IdentityKey.of(KEY_A).credential(new Credential(CredentialType.SOCIAL_SECURITY_CARD, ID)).number());
  }

  @Test
  void idNumber_ofAnHeir_keyedAsTheIdentityCardOfTheSameNumber() {
    IdentityKey key = IdentityKey.of(KEY_A);

    assertEquals(key.credential(new Credential(CredentialType.ID_CARD, ID)).number(), key.idNumber(ID));
  }

  @Test
  void checkValue_tellsKeysApart_andIsNoPartOfTheKey() {
    IdentityKey a = IdentityKey.of(KEY_A);

    assertEquals(32, a.checkValue().length());
    assertEquals(a.checkValue(), IdentityKey.of(KEY_A.clone()).checkValue());
    assertNotEquals(a.checkValue(), IdentityKey.of(KEY_B).checkValue());
    assertFalse(a.checkValue().contains(HexFormat.of().formatHex(KEY_A, 0, 4)));
    assertFalse(a.toString().contains(HexFormat.of().formatHex(KEY_A, 0, 4)), a.toString());
  }

  @Test
  void of_shortKey_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdentityKey.of(new byte[16]));

    assertEquals("identity key: 16 bytes (expected: >= 32)", e.getMessage());
  }

  @Test
  void fromFile_hexLine_isTheKey() throws Exception {
    Path file = dir.resolve("identity.key");
    Files.writeString(file, "  " + HexFormat.of().formatHex(KEY_A) + "\n");

    assertEquals(IdentityKey.of(KEY_A).checkValue(), IdentityKey.fromFile(file).checkValue());
  }

  @Test
  void fromFile_notHexOrTooShort_refusedWithoutShowingTheContent() throws Exception {
    Path file = dir.resolve("identity.key");
    Files.writeString(file, "secret-passphrase-of-the-agency\n");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdentityKey.fromFile(file));

    assertTrue(e.getMessage().contains("expected 64 or more hexadecimal digits"), e.getMessage());
    assertFalse(e.getMessage().contains("passphrase"), e.getMessage());
  }

  @Test
  void fromFile_generationBeforeTheDigits_keysNumbersThatSayTheirGeneration() throws Exception {
    Path plain = dir.resolve("identity-1.key");
    Files.writeString(plain, HexFormat.of().formatHex(KEY_A) + "\n");
    Path second = dir.resolve("identity-2.key");
    Files.writeString(second, "2 " + HexFormat.of().formatHex(KEY_B) + "\n");
    Credential card = new Credential(CredentialType.ID_CARD, ID);

    IdentityKey one = IdentityKey.fromFile(plain);
    IdentityKey two = IdentityKey.fromFile(second);

    assertEquals(1, one.generation());
    assertEquals(2, two.generation());
    // A key file of the format before generations keys numbers exactly as before: "k1:".
    assertEquals(IdentityKey.of(KEY_A).credential(card), one.credential(card));
    assertTrue(one.credential(card).number().startsWith("k1:"), one.credential(card).number());
    assertTrue(two.credential(card).number().startsWith("k2:"), two.credential(card).number());
    assertEquals(2, IdentityKey.generationOf(two.credential(card).number()));
    assertEquals(1, IdentityKey.generationOf(one.idNumber(ID)));
    assertEquals(12, IdentityKey.generationOf(IdentityKey.of(12, KEY_B).credential(card).number()));
    assertTrue(IdentityKey.of(99, KEY_B).credential(card).number().length() <= 64);
  }

  @Test
  void generationOf_whatIsNotAKeyedNumber_isZero() {
    String hash = IdentityKey.of(KEY_A).credential(new Credential(CredentialType.ID_CARD, ID)).number().substring(3);

    for (String notKeyed : List.of(ID, "", "k1:", "k0:" + hash, "k01:" + hash, "x1:" + hash, "k1:" + hash + "A",
        "k123:" + hash, "kA:" + hash)) {
      assertEquals(0, IdentityKey.generationOf(notKeyed), notKeyed);
      assertFalse(IdentityKey.isKeyed(notKeyed), notKeyed);
    }
  }

  @Test
  void fromFile_generationOutOfRange_refusedWithoutShowingTheContent() throws Exception {
    Path file = dir.resolve("identity.key");
    for (String generation : List.of("0", "100", "two", "my")) {
      Files.writeString(file, generation + " " + HexFormat.of().formatHex(KEY_A) + "\n");

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdentityKey.fromFile(file));

      assertTrue(e.getMessage().contains("expected a generation from 1 to 99"), e.getMessage());
      assertFalse(e.getMessage().contains(HexFormat.of().formatHex(KEY_A, 0, 4)), e.getMessage());
    }
  }

  @Test
  void identityKeys_olderKeysNewestFirst_andTheCurrentKeyTheNewest() {
    IdentityKey one = IdentityKey.of(1, KEY_A);
    IdentityKey two = IdentityKey.of(2, KEY_B);
    IdentityKey three = IdentityKey.of(3, filled(3));

    IdentityKeys keys = new IdentityKeys(three, List.of(one, two));

    assertEquals(List.of(three, two, one), keys.all());
    assertEquals(List.of(two, one), keys.older());
    assertEquals(two, keys.generation(2));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> new IdentityKeys(two, List.of(IdentityKey.of(2, KEY_A))));
    assertTrue(twice.getMessage().startsWith("two identity keys of generation 2"), twice.getMessage());
    IllegalArgumentException newer = assertThrows(IllegalArgumentException.class,
        () -> new IdentityKeys(two, List.of(three)));
    assertTrue(newer.getMessage().contains("the current key (identity.key.file) must be the newest"),
        newer.getMessage());
  }
}
