package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The journal's binary form of commands: what is encoded decodes to an equal command, and a
 * malformed payload is refused with {@link IllegalArgumentException} and nothing else (recovery turns
 * that into a clear "cannot be decoded" error; anything else would escape it).
 *
 * <p>Random cases come from {@link ArbitraryCommands} with a printed seed; replay one with
 * {@code -Dgongji.codec.seed=N}.
 */
class CommandCodecTest {
  private static final int SEEDS = Integer.getInteger("gongji.codec.seeds", 300);

  private static byte[] encode(Command c) {
    CommandCodec.Output out = new CommandCodec.Output(16);
    CommandCodec.encode(c, out);
    return Arrays.copyOf(out.array(), out.size());
  }

  private static Command decode(byte[] b, int length) {
    // A slice in the middle of a larger array, as recovery hands records to the codec.
    byte[] framed = new byte[length + 7];
    Arrays.fill(framed, (byte) 0x5A);
    System.arraycopy(b, 0, framed, 3, length);
    return CommandCodec.decode(ByteBuffer.wrap(framed, 3, length).slice());
  }

  private static Command decode(byte[] b) {
    return decode(b, b.length);
  }

  private static void assertRoundTrips(Command c) {
    byte[] b = encode(c);
    Command back = decode(b);
    assertEquals(c, back, () -> "round trip of " + c);
    assertArrayEquals(b, encode(back), () -> "re-encoding of " + c);
  }

  private static long[] seeds() {
    Long only = Long.getLong("gongji.codec.seed");
    if (only != null) {
      return new long[] {only};
    }
    long[] s = new long[SEEDS];
    for (int i = 0; i < s.length; i++) {
      s[i] = i + 1;
    }
    return s;
  }

  private static void forEachSeed(Consumer<Long> body) {
    forEachSeed(SEEDS, body);
  }

  private static void forEachSeed(int limit, Consumer<Long> body) {
    long[] seeds = seeds();
    for (long seed : Arrays.copyOf(seeds, Math.min(limit, seeds.length))) {
      try {
        body.accept(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay with -Dgongji.codec.seed=" + seed + "): " + e.getMessage(), e);
      }
    }
  }

  // ---- the output -------------------------------------------------------------------------

  /**
   * A draining output hands on, in order, exactly the bytes a growing one holds after the same
   * writes, in pieces no longer than its buffer (a run of raw bytes longer than the buffer goes as
   * it is), and its buffer never grows for them.
   */
  @Test
  void drainingOutput_handsOnTheBytesAGrowingOneHolds_neverGrowing() {
    forEachSeed(seed -> {
      SplittableRandom r = new SplittableRandom(seed);
      int capacity = 16 + r.nextInt(48);
      CommandCodec.Output grown = new CommandCodec.Output(1);
      java.io.ByteArrayOutputStream drained = new java.io.ByteArrayOutputStream();
      List<Integer> pieces = new ArrayList<>();
      CommandCodec.Output draining = CommandCodec.Output.draining(capacity, (b, offset, length) -> {
        drained.write(b, offset, length);
        pieces.add(length);
      });
      for (int i = 0; i < 500; i++) {
        for (CommandCodec.Output out : List.of(grown, draining)) {
          SplittableRandom same = new SplittableRandom(seed * 1_000 + i); // the same write to both
          switch (same.nextInt(7)) {
            case 0 -> out.u8(same.nextInt(256));
            case 1 -> out.i32(same.nextInt());
            case 2 -> out.i64(same.nextLong());
            case 3 -> out.varlong(same.nextLong(Long.MAX_VALUE));
            case 4 -> out.str("药" + same.nextInt(1_000_000));
            case 5 -> out.bytes(bytes(same, same.nextInt(capacity / 2)));
            default -> {
              byte[] run = bytes(same, same.nextInt(3 * capacity));
              int from = same.nextInt(run.length + 1);
              out.raw(run, from, run.length - from);
            }
          }
        }
        assertEquals(grown.size(), draining.position(), "after write " + i);
      }
      draining.flush();
      assertArrayEquals(Arrays.copyOf(grown.array(), grown.size()), drained.toByteArray());
      assertEquals(capacity, draining.array().length, "the buffer never grew");
      assertEquals(0, draining.size());
      assertTrue(pieces.size() > grown.size() / (3 * capacity), "handed on in pieces: " + pieces.size());
    });
  }

  private static byte[] bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  // ---- round trips --------------------------------------------------------------------------

  @Test
  void decode_randomCommandsOfEveryType_giveEqualCommands() {
    forEachSeed(seed -> {
      for (Command c : new ArbitraryCommands(new SplittableRandom(seed)).list(40)) {
        assertRoundTrips(c);
      }
    });
  }

  /**
   * A journal written before contract v1 holds a binding's request bare (type 13, no request id):
   * it still decodes to that command, which replays as it was applied, without an id. The bytes
   * are spelled out, so that a change of the old form cannot pass unseen.
   */
  @Test
  void decode_bareRequestBindingOfAJournalBeforeRequestIds_givesTheBareCommand() {
    byte[] v0 = {13, 2, 'A', '1', 2, 'P', '1', 1, (byte) 0x90, 0x4E, 3, 'H', '-', '1'};
    assertEquals(new Command.RequestBinding("A1", "P1", Relationship.PARENT, 10_000, "H-1"), decode(v0));
    byte[] keyed = encode(new Command.Idempotent("R-1", 5, new Command.RequestBinding("A1", "P1", Relationship.PARENT,
        10_000, "H-1")));
    assertEquals(26, keyed[0], "type IDEMPOTENT");
    assertArrayEquals(v0, Arrays.copyOfRange(keyed, keyed.length - v0.length, keyed.length), "then the bare command");
  }

  @Test
  void decode_idempotentAroundASaleOrItself_refused() {
    byte[] settle = encode(new Command.Settle("S-1", 1, "P62010200017", "T1", -1));
    byte[] b = new byte[1 + 4 + 8 + settle.length];
    b[0] = 26;
    b[1] = 3;
    b[2] = 'K';
    b[3] = '-';
    b[4] = '1';
    System.arraycopy(settle, 0, b, 13, settle.length);
    IllegalArgumentException e = assertRefused(b, b.length, "a sale under IDEMPOTENT");
    assertTrue(e.getMessage().contains("not a back-office change"), e::getMessage);
  }

  /** The generator above makes every journaled command there is; a new one must be added to it. */
  @Test
  void arbitraryCommands_everyMutatingCommandType_isGenerated() {
    Set<Class<?>> mutating = new HashSet<>();
    collectRecords(Command.class, mutating);
    mutating.removeIf(c -> Command.Query.class.isAssignableFrom(c));
    Set<Class<?>> generated = new HashSet<>();
    ArbitraryCommands commands = new ArbitraryCommands(new SplittableRandom(1));
    for (int type = 0; type < ArbitraryCommands.TYPES; type++) {
      generated.add(commands.of(type).getClass());
    }
    assertEquals(names(mutating), names(generated), "mutating command types vs ArbitraryCommands");
  }

  private static void collectRecords(Class<?> type, Set<Class<?>> out) {
    if (type.isRecord()) {
      out.add(type);
    }
    Class<?>[] permitted = type.getPermittedSubclasses();
    if (permitted != null) {
      for (Class<?> c : permitted) {
        collectRecords(c, out);
      }
    }
  }

  private static java.util.SortedSet<String> names(Set<Class<?>> types) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    types.forEach(t -> out.add(t.getSimpleName()));
    return out;
  }

  @Test
  void decode_edgeNumbers_giveEqualCommands() {
    long[] amounts = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, 1L << 62, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    long[] hashes = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE};
    for (long a : amounts) {
      for (long h : hashes) {
        assertRoundTrips(new Command.Credit("K", h, "PSN", a));
        assertRoundTrips(new Command.CreateBinding("A", "B", Relationship.SPOUSE, a));
        assertRoundTrips(new Command.Settle("S", h, "P1", "T1", Math.min(a, Long.MAX_VALUE - 1)));
        assertRoundTrips(new Command.PayPremium("M", h, "A", "B", a, (int) Math.min(a, Integer.MAX_VALUE)));
        assertRoundTrips(new Command.PayOutToHeirs("H", h, "PSN", List.of(new Command.Heir("继承人", "ID", a),
            new Command.Heir("", "", 0))));
        assertRoundTrips(new Command.RequestBinding("A", "B", Relationship.GRANDCHILD, a, ""));
      }
      assertRoundTrips(new Command.SetRegionPolicy(new RegionPolicy("620100", "r", 0, false, false, false, Set.of(), 60,
          (int) Math.min(a, Integer.MAX_VALUE), a)));
      assertRoundTrips(new Command.SetRegionPolicy(
          new RegionPolicy("620100", "r", a, false, false, false, Set.of(), 60)));
    }
    // -1 is "the authorized total".
    assertRoundTrips(new Command.Settle("S", 0, "P1", "T1", -1));
    for (int ttl : new int[] {60, 61, 127, 128, 1_800, 86_400}) {
      assertRoundTrips(new Command.SetRegionPolicy(new RegionPolicy("620100", "r", 0, true, true, true, Set.of(), ttl)));
    }
  }

  @Test
  void decode_edgeBills_giveEqualCommands() {
    List<Bill> bills = new ArrayList<>();
    bills.add(Bill.of(0, new long[ItemCategory.count()]));
    bills.add(Bill.of(Long.MAX_VALUE, new long[ItemCategory.count()]));
    for (ItemCategory c : ItemCategory.values()) {
      if (!c.forbidden()) {
        long[] p = new long[ItemCategory.count()];
        p[c.ordinal()] = Long.MAX_VALUE;
        bills.add(Bill.of(Long.MAX_VALUE, p));
        p[c.ordinal()] = 1;
        bills.add(Bill.of(1, p));
      }
    }
    for (Bill bill : bills) {
      for (MedicalType type : MedicalType.values()) {
        for (int flags = 0; flags < 4; flags++) {
          assertRoundTrips(new Command.Authorize("A", Long.MIN_VALUE, "P62010000017", "T1", "PSN", type, bill,
              (flags & 1) != 0, (flags & 2) != 0));
        }
      }
    }
  }

  @Test
  void decode_unicodeAndEmptyStrings_giveEqualCommands() {
    String[] strings = {"", " ", "张伟", "李娜·王", "𠀀𠀁 (beyond the BMP)", "emoji 😀🏥", "ä\u0301 combining", "\u0000",
        "\uFEFF bom", "x".repeat(10_000)};
    for (String s : strings) {
      assertRoundTrips(new Command.Reverse(s, s));
      assertRoundTrips(new Command.Cancel(s, 7, s, s));
      assertRoundTrips(new Command.Refund(s, 7, s, s));
      assertRoundTrips(new Command.Reject(s, 7, RequestKind.SETTLE, s, Outcome.IMPERSONATION, s));
      assertRoundTrips(new Command.RegisterInstitution(new Institution(s, s, Set.of(s, s + "2"))));
      assertRoundTrips(new Command.UpsertInsured(new Insured(s, s, InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL, s,
          List.of(new Credential(CredentialType.ID_CARD, s)))));
      assertRoundTrips(new Command.SetRegionPolicy(new RegionPolicy(s, s, 5, true, false, true, Set.of(), 60)));
    }
  }

  @Test
  void decode_everyEnumValue_givesEqualCommands() {
    for (Relationship r : Relationship.values()) {
      assertRoundTrips(new Command.CreateBinding("A", "B", r, 0));
    }
    for (RequestKind k : RequestKind.values()) {
      for (Outcome o : Outcome.values()) {
        assertRoundTrips(new Command.Reject("J", 1, k, "P1", o, o.name()));
      }
    }
    for (InsuranceType t : InsuranceType.values()) {
      for (InsuredStatus s : InsuredStatus.values()) {
        List<Credential> creds = new ArrayList<>();
        for (CredentialType ct : CredentialType.values()) {
          creds.add(new Credential(ct, ct.name()));
        }
        assertRoundTrips(new Command.UpsertInsured(new Insured("PSN", "人", t, s, "620100", creds)));
        assertRoundTrips(new Command.UpsertInsured(new Insured("PSN", "人", t, s, "620100", List.of())));
      }
    }
    // Every combination of flags and optional categories a policy can have.
    List<ItemCategory> optional = Arrays.stream(ItemCategory.values()).filter(ItemCategory::optional).toList();
    for (int flags = 0; flags < 8; flags++) {
      for (int subset = 0; subset < 1 << optional.size(); subset++) {
        Set<ItemCategory> allowed = EnumSet.noneOf(ItemCategory.class);
        for (int i = 0; i < optional.size(); i++) {
          if ((subset & (1 << i)) != 0) {
            allowed.add(optional.get(i));
          }
        }
        assertRoundTrips(new Command.SetRegionPolicy(new RegionPolicy("620100", "兰州", 20_000, (flags & 1) != 0,
            (flags & 2) != 0, (flags & 4) != 0, allowed, 300)));
      }
    }
    assertRoundTrips(new Command.Tick());
    assertRoundTrips(new Command.RegisterInstitution(new Institution("P62010000017", "药房", Set.of())));
  }

  @Test
  void encode_queryCommand_throwsIllegalArgument() {
    List<Command> queries = List.of(new Command.Identify("PSN"), new Command.Audit(), new Command.GetAccount("PSN"),
        new Command.GetTransaction("P1", "T1", null),
        new Command.LoadReference(Command.ReferenceKind.INSURED, "PSN"));
    for (Command q : queries) {
      assertThrows(IllegalArgumentException.class, () -> encode(q), q::toString);
    }
  }

  // ---- malformed payloads -------------------------------------------------------------------

  /** Decodes and expects an IllegalArgumentException; any other throwable (or none) fails the test. */
  private static IllegalArgumentException assertRefused(byte[] payload, int length, String what) {
    try {
      Command c = decode(payload, length);
      fail(what + ": decoded to " + c + " (expected: IllegalArgumentException)");
      return null;
    } catch (IllegalArgumentException expected) {
      return expected;
    } catch (Throwable other) {
      throw new AssertionError(what + ": threw " + other + " (expected: IllegalArgumentException)", other);
    }
  }

  @Test
  void decode_truncatedAtEveryLength_throwsIllegalArgument() {
    // Every prefix of every type: the seeds vary the fields, so fewer of them are needed.
    forEachSeed(SEEDS / 10, seed -> {
      for (Command c : new ArbitraryCommands(new SplittableRandom(seed)).list(ArbitraryCommands.TYPES)) {
        byte[] b = encode(c);
        for (int length = 0; length < b.length; length++) {
          assertRefused(b, length, c + " cut to " + length + " of " + b.length + " bytes");
        }
      }
    });
  }

  @Test
  void decode_trailingBytes_throwsIllegalArgument() {
    for (Command c : new ArbitraryCommands(new SplittableRandom(1)).list(ArbitraryCommands.TYPES)) {
      byte[] b = Arrays.copyOf(encode(c), encode(c).length + 1);
      IllegalArgumentException e = assertRefused(b, b.length, c + " with a byte after it");
      assertTrue(e.getMessage().contains("left after"), e::getMessage);
    }
  }

  @Test
  void decode_amountWithTheSignBitSet_throwsIllegalArgument() {
    // Credit "K" 0 "P" with a 10-byte varint whose last byte sets bit 63: the encoder writes no such
    // number (it refuses negatives), so a decoded one could not be journaled again.
    byte[] b = bytes(o -> o.u8(5).str("K").i64(0).str("P"));
    byte[] amount = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, 0x01};
    byte[] payload = Arrays.copyOf(b, b.length + amount.length);
    System.arraycopy(amount, 0, payload, b.length, amount.length);

    IllegalArgumentException e = assertRefused(payload, payload.length, "a credit of -1 fen");

    assertTrue(e.getMessage().contains("varint out of range"), e::getMessage);
  }

  @Test
  void decode_unknownTypeByte_throwsIllegalArgument() {
    Set<Integer> known = new HashSet<>();
    ArbitraryCommands commands = new ArbitraryCommands(new SplittableRandom(1));
    for (int type = 0; type < ArbitraryCommands.TYPES; type++) {
      known.add((int) encode(commands.of(type))[0]);
    }
    for (Command c : commands.naming()) {
      known.add((int) encode(c)[0]);
    }
    assertEquals(ArbitraryCommands.TYPES + 2, known.size(), () -> "type bytes " + known);
    for (int type = -128; type < 128; type++) {
      if (known.contains(type)) {
        continue;
      }
      byte[] b = {(byte) type, 1, 'x', 0, 0, 0, 0, 0, 0, 0, 0};
      IllegalArgumentException e = assertRefused(b, b.length, "type byte " + type);
      assertTrue(e.getMessage().contains("unknown command type " + type), e::getMessage);
    }
  }

  /** A command with an enum field, and the number of values that enum has. */
  private record EnumField(String name, int values, java.util.function.IntFunction<Command> withOrdinal) {}

  private static List<EnumField> enumFields() {
    Bill bill = Bill.of(10, new long[ItemCategory.count()]);
    Credential card = new Credential(CredentialType.ID_CARD, "c");
    return List.of(
        new EnumField("Authorize.medicalType", MedicalType.values().length, i -> new Command.Authorize("A", 1, "P1", "T1",
            "PSN", MedicalType.values()[i], bill, true, false)),
        new EnumField("Reject.kind", RequestKind.values().length,
            i -> new Command.Reject("J", 1, RequestKind.values()[i], "P1", Outcome.OK, "d")),
        new EnumField("Reject.outcome", Outcome.values().length,
            i -> new Command.Reject("J", 1, RequestKind.AUTHORIZE, "P1", Outcome.values()[i], "d")),
        new EnumField("UpsertInsured.insuranceType", InsuranceType.values().length,
            i -> new Command.UpsertInsured(new Insured("PSN", "n", InsuranceType.values()[i], InsuredStatus.NORMAL,
                "620100", List.of(card)))),
        new EnumField("UpsertInsured.status", InsuredStatus.values().length,
            i -> new Command.UpsertInsured(new Insured("PSN", "n", InsuranceType.EMPLOYEE_BASIC,
                InsuredStatus.values()[i], "620100", List.of(card)))),
        new EnumField("Credential.type", CredentialType.values().length,
            i -> new Command.UpsertInsured(new Insured("PSN", "n", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL,
                "620100", List.of(new Credential(CredentialType.values()[i], "c"))))),
        new EnumField("CreateBinding.relationship", Relationship.values().length,
            i -> new Command.CreateBinding("A", "B", Relationship.values()[i], 0)),
        new EnumField("RequestBinding.relationship", Relationship.values().length,
            i -> new Command.RequestBinding("A", "B", Relationship.values()[i], 0, "e")));
  }

  /** Where the ordinal of a field sits: the one byte that differs between two of its values. */
  private static int ordinalOffset(EnumField f) {
    byte[] a = encode(f.withOrdinal().apply(0));
    byte[] b = encode(f.withOrdinal().apply(1));
    assertEquals(a.length, b.length, f::name);
    int at = -1;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        assertEquals(-1, at, () -> f.name() + ": more than one byte differs");
        at = i;
      }
    }
    assertEquals(0, a[at], f::name);
    assertEquals(1, b[at], f::name);
    return at;
  }

  @Test
  void decode_unknownEnumCode_throwsIllegalArgument() {
    for (EnumField f : enumFields()) {
      int at = ordinalOffset(f);
      for (int ok = 0; ok < f.values(); ok++) {
        assertRoundTrips(f.withOrdinal().apply(ok));
      }
      for (int bad : new int[] {f.values(), f.values() + 1, 127, -1, -128}) {
        byte[] b = encode(f.withOrdinal().apply(0));
        b[at] = (byte) bad;
        String what = f.name() + " (" + f.values() + " values) = " + bad;
        IllegalArgumentException e = assertRefused(b, b.length, what);
        // Codes are unsigned bytes: -1 on the wire is code 255.
        assertTrue(e.getMessage().contains(" code " + (bad & 0xff)), () -> what + ": " + e.getMessage());
      }
    }
  }

  private static byte[] bytes(Consumer<CommandCodec.Output> writer) {
    CommandCodec.Output o = new CommandCodec.Output(64);
    writer.accept(o);
    return Arrays.copyOf(o.array(), o.size());
  }

  @Test
  void decode_billWhosePartsOverflowALong_throwsIllegalArgument() {
    byte[] b = bytes(o -> {
      o.u8(6).str("A").i64(1).str("P1").str("T1").str("PSN").u8(0).varlong(Long.MAX_VALUE).varint(ItemCategory.count());
      for (int c = 0; c < ItemCategory.count(); c++) {
        o.varlong(c < 2 ? Long.MAX_VALUE / 2 + 1 : 0);
      }
      o.u8(3);
    });
    assertRefused(b, b.length, "bill whose payable parts sum past Long.MAX_VALUE");
  }

  @Test
  void decode_hugeCountWithFewBytes_throwsIllegalArgument() {
    byte[] credentials = bytes(o -> o.u8(2).str("PSN").str("n").u8(0).u8(0).str("620100").varint(Integer.MAX_VALUE));
    assertRefused(credentials, credentials.length, "2^31-1 credentials in a few bytes");
    byte[] terminals = bytes(o -> o.u8(1).str("P1").str("n").varint(Integer.MAX_VALUE));
    assertRefused(terminals, terminals.length, "2^31-1 terminals in a few bytes");
    byte[] string = bytes(o -> o.u8(9).varint(Integer.MAX_VALUE));
    assertRefused(string, string.length, "a string of 2^31-1 bytes in one");
  }

  @Test
  void decode_overlongOrNegativeVarints_throwIllegalArgument() {
    byte[] elevenBytes = bytes(o -> {
      o.u8(5).str("K").i64(1).str("PSN");
      for (int i = 0; i < 10; i++) {
        o.u8(0x80);
      }
      o.u8(0);
    });
    assertRefused(elevenBytes, elevenBytes.length, "a varint longer than 10 bytes");
    byte[] negativeLength = bytes(o -> o.u8(10).varlong(-1L >>> 1).str("x"));
    assertRefused(negativeLength, negativeLength.length, "a string length above Integer.MAX_VALUE");
  }

  /**
   * Random damage to valid payloads (flipped bits, replaced, inserted and removed bytes, random
   * varints spliced in): decoding either gives a command that itself round-trips, or refuses with
   * IllegalArgumentException. Never another exception, never an error.
   */
  @Test
  void decode_randomlyDamagedPayloads_decodeOrThrowOnlyIllegalArgument() {
    forEachSeed(seed -> {
      SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
      ArbitraryCommands commands = new ArbitraryCommands(new SplittableRandom(seed));
      for (int i = 0; i < 60; i++) {
        byte[] b = damage(encode(commands.next()), random);
        Command c;
        try {
          c = decode(b);
        } catch (IllegalArgumentException refused) {
          continue;
        } catch (Throwable other) {
          throw new AssertionError("damaged payload " + Arrays.toString(b) + " threw " + other
              + " (expected: a command or IllegalArgumentException)", other);
        }
        byte[] again;
        try {
          again = encode(c);
        } catch (IllegalArgumentException notEncodable) {
          continue; // e.g. a negative amount that only damage can produce
        }
        assertEquals(c, decode(again), () -> "re-decoding " + c);
      }
    });
  }

  private static byte[] damage(byte[] b, SplittableRandom random) {
    byte[] out = b;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = out.length == 0 ? 0 : random.nextInt(out.length);
      switch (random.nextInt(5)) {
        case 0 -> {
          if (out.length > 0) {
            out[at] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> {
          if (out.length > 0) {
            out[at] = (byte) random.nextInt(256);
          }
        }
        case 2 -> {
          byte[] n = new byte[out.length + 1];
          System.arraycopy(out, 0, n, 0, at);
          n[at] = (byte) random.nextInt(256);
          System.arraycopy(out, at, n, at + 1, out.length - at);
          out = n;
        }
        case 3 -> {
          if (out.length > 0) {
            byte[] n = new byte[out.length - 1];
            System.arraycopy(out, 0, n, 0, at);
            System.arraycopy(out, at + 1, n, at, out.length - at - 1);
            out = n;
          }
        }
        default -> {
          // A large varint spliced in: counts and lengths far beyond the payload.
          CommandCodec.Output v = new CommandCodec.Output(10);
          v.varlong(random.nextInt(2) == 0 ? Integer.MAX_VALUE - random.nextInt(1000) : random.nextLong(0, Long.MAX_VALUE));
          byte[] n = new byte[out.length + v.size()];
          System.arraycopy(out, 0, n, 0, at);
          System.arraycopy(v.array(), 0, n, at, v.size());
          System.arraycopy(out, at, n, at + v.size(), out.length - at);
          out = n;
        }
      }
    }
    return out;
  }
}
