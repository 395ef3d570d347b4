package gongji.server.ledger;

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
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The binary form of mutating commands in the journal (and of the reference data in snapshots): a
 * type byte, then the fields in a fixed order: varint lengths and numbers, UTF-8 strings, and enum
 * constants as their explicit codes ({@code code()}, one unsigned byte, see
 * {@link gongji.server.domain.Codes}), never as ordinals. A bill's per-category amounts are written in
 * {@link ItemCategory} code order and a set of categories as a mask of {@code 1 << code}. Codes are
 * pinned by {@code EnumCodesTest}: a constant may be added with a new code, never renumbered.
 *
 * <p>Decoding reads bytes that may be damaged or forged and checks everything before it builds a
 * command: a malformed payload (truncated, a count or length beyond the bytes left, an unknown type
 * or enum code, a number out of range, bytes left over, a value a command refuses) throws
 * {@link IllegalArgumentException} with what was wrong and where, and nothing else. The journal's
 * CRC catches accidental damage before that.
 */
public final class CommandCodec {
  private static final byte REGISTER_INSTITUTION = 1;
  private static final byte UPSERT_INSURED = 2;
  private static final byte SET_REGION_POLICY = 3;
  private static final byte CREATE_BINDING = 4;
  private static final byte CREDIT = 5;
  private static final byte AUTHORIZE = 6;
  private static final byte SETTLE = 7;
  private static final byte CANCEL = 8;
  private static final byte REFUND = 9;
  private static final byte REVERSE = 10;
  private static final byte REJECT = 11;
  private static final byte TICK = 12;
  private static final byte REQUEST_BINDING = 13;
  private static final byte REVIEW_BINDING = 14;
  private static final byte DISSOLVE_BINDING = 15;
  private static final byte RECORD_DEATH = 16;
  private static final byte PAY_OUT_TO_HEIRS = 17;
  private static final byte PAY_PREMIUM = 18;
  private static final byte RECORD_ALERT = 19;
  private static final byte UPDATE_BINDING_QUOTA = 20;
  private static final byte OPEN_WALLET = 21;
  private static final byte ASSIGN_WALLET_QUOTA = 22;
  private static final byte ANSWER_WALLET_TRANSFER = 23;
  private static final byte SWEEP = 24;
  /** A command with what the gateway recalled from history for it: the fields, then the command. */
  private static final byte RECALLED = 25;
  /** A back-office change under a request id: the id and hash, then the change (contract v1). */
  private static final byte IDEMPOTENT = 26;
  private static final byte MOVE_CLOCK = 27;
  /** A refused impersonation whose alert was not recorded (its terminal was over its alert rate). */
  private static final byte REJECT_WITHOUT_ALERT = 28;
  /** A refusal whose alert names the people, terminal and operator it concerns: REJECT, then those. */
  private static final byte REJECT_NAMING = 40;
  /** An alert that names the people, terminal and operator it concerns: RECORD_ALERT, then those. */
  private static final byte RECORD_ALERT_NAMING = 41;
  /** The policy's values as SET_REGION_POLICY writes them, then the fields named (a mask of Field codes). */
  private static final byte UPDATE_REGION_POLICY = 29;
  /** A sweep that also lets go of closed wallet transfers: SWEEP's fields (code 24 lets go of none). */
  private static final byte SWEEP_TRANSFERS = 55;
  /** A sweep that also lets go of ended wallet transfers no kept sale names: SWEEP's fields. */
  private static final byte SWEEP_ENDED = 56;
  /**
   * RECALLED with the records of the wallet transfers its sale's legs name: RECALLED's fields, then
   * their count and each one's id and record, then the command.
   */
  private static final byte RECALLED_TRANSFERS = 57;
  /** A credential keyed again under the current identity key: the person, the type, the older and the new number. */
  private static final byte REKEY_CREDENTIAL = 58;
  /**
   * UPSERT_INSURED during a rotation of the identity key: UPSERT_INSURED's fields, then the count of
   * the credentials' older forms and each one's type and number.
   */
  private static final byte UPSERT_INSURED_ACROSS_KEYS = 59;

  private static final byte[] NO_BYTES = {};

  private CommandCodec() {}

  /** Appends the encoding of a mutating command to {@code out}. */
  public static void encode(Command command, Output out) {
    if (command instanceof Command.Authorize c) {
      out.u8(AUTHORIZE).str(c.requestId()).i64(c.contentHash()).str(c.institution()).str(c.terminalId())
          .str(c.psnNo()).u8(c.medicalType().code()).varlong(c.bill().totalFen());
      long[] payable = c.bill().payableByCategoryFen();
      out.varint(payable.length);
      for (long p : payable) {
        out.varlong(p);
      }
      out.u8((c.useAccount() ? 1 : 0) | (c.useMutualAid() ? 2 : 0));
    } else if (command instanceof Command.Settle c) {
      out.u8(SETTLE).str(c.requestId()).i64(c.contentHash()).str(c.institution()).str(c.txnId())
          .varlong(c.finalTotalFen() + 1);
    } else if (command instanceof Command.Cancel c) {
      out.u8(CANCEL).str(c.requestId()).i64(c.contentHash()).str(c.institution()).str(c.txnId());
    } else if (command instanceof Command.Refund c) {
      out.u8(REFUND).str(c.requestId()).i64(c.contentHash()).str(c.institution()).str(c.txnId());
    } else if (command instanceof Command.Reverse c) {
      out.u8(REVERSE).str(c.institution()).str(c.originalRequestId());
    } else if (command instanceof Command.Reject c) {
      boolean naming = !c.parties().equals(AlertParties.NONE);
      boolean usual = c.alert() == (c.outcome() == Outcome.IMPERSONATION);
      out.u8(naming ? REJECT_NAMING : usual ? REJECT : REJECT_WITHOUT_ALERT).str(c.requestId()).i64(c.contentHash())
          .u8(c.kind().code()).str(c.institution()).u8(c.outcome().code()).str(c.detail());
      if (naming) {
        parties(c.parties(), out);
      }
    } else if (command instanceof Command.Tick) {
      out.u8(TICK);
    } else if (command instanceof Command.Sweep c) {
      out.u8(c.ended() ? SWEEP_ENDED : c.transfers() ? SWEEP_TRANSFERS : SWEEP).varlong(c.recentWindowMillis())
          .varint(c.maxItems());
    } else if (command instanceof Command.Recalled c) {
      if (c.command() instanceof Command.Recalled) {
        throw new IllegalArgumentException("a recalled command inside another: " + command);
      }
      out.u8(c.transfers().isEmpty() ? RECALLED : RECALLED_TRANSFERS).varlong(c.sweeps()).str(c.requestKey())
          .bytes(c.request() == null ? NO_BYTES : c.request()).str(c.txnId()).bytes(c.sale() == null ? NO_BYTES : c.sale());
      if (!c.transfers().isEmpty()) {
        out.varint(c.transfers().size());
        for (Command.TransferImage t : c.transfers()) {
          out.str(t.transferId()).bytes(t.image());
        }
      }
      encode(c.command(), out);
    } else if (command instanceof Command.Idempotent c) {
      out.u8(IDEMPOTENT).str(c.requestId()).i64(c.contentHash());
      encode(c.command(), out);
    } else if (command instanceof Command.MoveClock c) {
      out.u8(MOVE_CLOCK).i64(c.toMillis());
    } else if (command instanceof Command.Credit c) {
      out.u8(CREDIT).str(c.requestId()).i64(c.contentHash()).str(c.psnNo()).varlong(c.amountFen());
    } else if (command instanceof Command.UpsertInsured c) {
      Insured i = c.insured();
      out.u8(c.olderForms().isEmpty() ? UPSERT_INSURED : UPSERT_INSURED_ACROSS_KEYS).str(i.psnNo()).str(i.name())
          .u8(i.insuranceType().code()).u8(i.status().code()).str(i.admdvs()).varint(i.credentials().size());
      for (Credential cred : i.credentials()) {
        out.u8(cred.type().code()).str(cred.number());
      }
      if (!c.olderForms().isEmpty()) {
        out.varint(c.olderForms().size());
        for (Credential cred : c.olderForms()) {
          out.u8(cred.type().code()).str(cred.number());
        }
      }
    } else if (command instanceof Command.RekeyCredential c) {
      out.u8(REKEY_CREDENTIAL).str(c.psnNo()).u8(c.older().type().code()).str(c.older().number())
          .str(c.current().number());
    } else if (command instanceof Command.RegisterInstitution c) {
      Institution i = c.institution();
      out.u8(REGISTER_INSTITUTION).str(i.code()).str(i.name()).varint(i.terminalIds().size());
      for (String t : i.terminalIds().stream().sorted().toList()) {
        out.str(t);
      }
    } else if (command instanceof Command.SetRegionPolicy c) {
      writePolicy(out.u8(SET_REGION_POLICY), c.policy());
    } else if (command instanceof Command.UpdateRegionPolicy c) {
      writePolicy(out.u8(UPDATE_REGION_POLICY), c.values());
      out.varlong(RegionPolicy.Field.mask(c.fields()));
    } else if (command instanceof Command.CreateBinding c) {
      out.u8(CREATE_BINDING).str(c.authorizerPsnNo()).str(c.beneficiaryPsnNo()).u8(c.relationship().code())
          .varlong(c.quotaFen());
    } else if (command instanceof Command.RequestBinding c) {
      out.u8(REQUEST_BINDING).str(c.authorizerPsnNo()).str(c.beneficiaryPsnNo()).u8(c.relationship().code())
          .varlong(c.quotaFen()).str(c.evidenceRef());
    } else if (command instanceof Command.ReviewBinding c) {
      out.u8(REVIEW_BINDING).str(c.bindingId()).u8(c.approve() ? 1 : 0).str(c.note());
    } else if (command instanceof Command.DissolveBinding c) {
      out.u8(DISSOLVE_BINDING).str(c.bindingId()).str(c.byPsnNo());
    } else if (command instanceof Command.RecordAlert c) {
      boolean naming = !c.parties().equals(AlertParties.NONE);
      out.u8(naming ? RECORD_ALERT_NAMING : RECORD_ALERT).str(c.kind()).str(c.institution()).str(c.psnNo())
          .str(c.detail());
      if (naming) {
        parties(c.parties(), out);
      }
    } else if (command instanceof Command.PayPremium c) {
      out.u8(PAY_PREMIUM).str(c.requestId()).i64(c.contentHash()).str(c.payerPsnNo()).str(c.beneficiaryPsnNo())
          .varlong(c.amountFen()).varint(c.year());
    } else if (command instanceof Command.RecordDeath c) {
      out.u8(RECORD_DEATH).str(c.psnNo());
    } else if (command instanceof Command.PayOutToHeirs c) {
      out.u8(PAY_OUT_TO_HEIRS).str(c.requestId()).i64(c.contentHash()).str(c.psnNo()).varint(c.heirs().size());
      for (Command.Heir h : c.heirs()) {
        out.str(h.name()).str(h.idNumber()).varlong(h.amountFen());
      }
    } else if (command instanceof Command.UpdateBindingQuota c) {
      out.u8(UPDATE_BINDING_QUOTA).str(c.bindingId()).str(c.byPsnNo()).varlong(c.quotaFen());
    } else if (command instanceof Command.OpenWallet c) {
      out.u8(OPEN_WALLET).str(c.psnNo());
    } else if (command instanceof Command.AssignWalletQuota c) {
      out.u8(ASSIGN_WALLET_QUOTA).str(c.requestId()).i64(c.contentHash()).str(c.authorizerPsnNo())
          .str(c.beneficiaryPsnNo()).varlong(c.amountFen());
    } else if (command instanceof Command.AnswerWalletTransfer c) {
      out.u8(ANSWER_WALLET_TRANSFER).str(c.transferId()).str(c.byPsnNo()).u8(c.accept() ? 1 : 0);
    } else {
      throw new IllegalArgumentException("not a journaled command: " + command);
    }
  }

  private static void writePolicy(Output out, RegionPolicy p) {
    out.str(p.admdvs()).str(p.name()).varlong(p.retainedFloorFen())
        .u8((p.extendedRelativesAllowed() ? 1 : 0) | (p.quotaAllowed() ? 2 : 0) | (p.crossProvinceEnabled() ? 4 : 0))
        .varint(p.holdTtlSeconds());
    int mask = 0;
    for (ItemCategory cat : p.optionalCategoriesAllowed()) {
      mask |= cat.bit();
    }
    RegionPolicy.WalletRules w = p.wallet();
    out.varint(mask).varint(p.maxMutualAidUsesPerDay()).varlong(p.maxMutualAidFenPerDay())
        .varint(w.maxTransfersPerDay()).varlong(w.maxTransferFen()).u8(w.quietFromHour()).u8(w.quietUntilHour())
        .u8(p.aidOrder().code());
  }

  private static RegionPolicy readPolicy(ByteBuffer in) {
    String admdvs = str(in);
    String name = str(in);
    long floor = varlong(in);
    int flags = in.get();
    int ttl = varint(in);
    int mask = varint(in);
    Set<ItemCategory> optional = EnumSet.noneOf(ItemCategory.class);
    for (ItemCategory c : ItemCategory.values()) {
      if ((mask & c.bit()) != 0) {
        optional.add(c);
      }
    }
    int maxUses = varint(in);
    long maxFen = varlong(in);
    RegionPolicy.WalletRules wallet = new RegionPolicy.WalletRules(varint(in), varlong(in), in.get(), in.get());
    return new RegionPolicy(admdvs, name, floor, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, optional, ttl,
        maxUses, maxFen, wallet, RegionPolicy.AidOrder.ofCode(code(in)));
  }

  /**
   * Decodes one command from the whole of {@code in}.
   *
   * @throws IllegalArgumentException if the bytes are not exactly one well-formed command; the
   *     message names the command type and the byte where decoding stopped
   */
  public static Command decode(ByteBuffer in) {
    int start = in.position();
    int type = in.hasRemaining() ? in.get(start) : -1;
    try {
      Command c = decodeOne(in);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " bytes left after the command");
      }
      return c;
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw malformed(type, in.position() - start, "truncated command", e);
    } catch (ArithmeticException e) {
      throw malformed(type, in.position() - start, "amounts out of range: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw malformed(type, in.position() - start, e.getMessage(), e);
    }
  }

  private static IllegalArgumentException malformed(int type, int at, String problem, RuntimeException cause) {
    return new IllegalArgumentException("command type " + type + ", at byte " + at + ": " + problem, cause);
  }

  /**
   * The insured person of an {@link Command.UpsertInsured}, read after its type. A snapshot's reader
   * that read the person's number and area code before gives their instances to keep ({@code psnNo},
   * {@code admdvs}; null: read them). No list is made on the way: the credentials go straight into
   * the immutable list the record keeps.
   */
  static Insured insured(ByteBuffer in, String psnNo, String admdvs) {
    psnNo = psnNo != null ? skip(in, psnNo) : str(in);
    String name = str(in);
    InsuranceType insuranceType = InsuranceType.ofCode(code(in));
    InsuredStatus status = InsuredStatus.ofCode(code(in));
    admdvs = admdvs != null ? skip(in, admdvs) : str(in);
    int n = count(in);
    List<Credential> creds;
    if (n == 1) {
      creds = List.of(new Credential(CredentialType.ofCode(code(in)), str(in)));
    } else {
      Credential[] read = new Credential[n];
      for (int i = 0; i < n; i++) {
        read[i] = new Credential(CredentialType.ofCode(code(in)), str(in));
      }
      creds = List.of(read);
    }
    return new Insured(psnNo, name, insuranceType, status, admdvs, creds);
  }

  /** Passes over a string known to be {@code known} and returns it. */
  private static String skip(ByteBuffer in, String known) {
    skipStr(in);
    return known;
  }

  /** Passes over a string without making it. */
  static void skipStr(ByteBuffer in) {
    int n = varint(in);
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("string of " + n + " bytes with " + in.remaining() + " left");
    }
    in.position(in.position() + n);
  }

  /** The type that begins an {@link Command.UpsertInsured}'s encoding. */
  static final int UPSERT_INSURED_TYPE = UPSERT_INSURED;

  /** Writes whom an alert names (read back by {@link #parties(ByteBuffer)}). */
  static void parties(AlertParties p, Output out) {
    out.str(p.claimedMasked()).str(p.ownerMasked()).str(p.terminalId()).str(p.operatorId());
  }

  /** Reads whom an alert names. */
  static AlertParties parties(ByteBuffer in) {
    return new AlertParties(str(in), str(in), str(in), str(in));
  }

  private static Command decodeOne(ByteBuffer in) {
    byte type = in.get();
    switch (type) {
      case AUTHORIZE -> {
        String requestId = str(in);
        long hash = in.getLong();
        String institution = str(in);
        String terminal = str(in);
        String psnNo = str(in);
        MedicalType medicalType = MedicalType.ofCode(code(in));
        long total = varlong(in);
        int n = varint(in);
        if (n != ItemCategory.count()) {
          throw new IllegalArgumentException("bill with " + n + " categories (expected: " + ItemCategory.count() + ")");
        }
        long[] payable = new long[n];
        for (int i = 0; i < n; i++) {
          payable[i] = varlong(in);
        }
        int flags = in.get();
        return new Command.Authorize(requestId, hash, institution, terminal, psnNo, medicalType, Bill.of(total, payable),
            (flags & 1) != 0, (flags & 2) != 0);
      }
      case SETTLE -> {
        return new Command.Settle(str(in), in.getLong(), str(in), str(in), varlong(in) - 1);
      }
      case CANCEL -> {
        return new Command.Cancel(str(in), in.getLong(), str(in), str(in));
      }
      case REFUND -> {
        return new Command.Refund(str(in), in.getLong(), str(in), str(in));
      }
      case REVERSE -> {
        return new Command.Reverse(str(in), str(in));
      }
      case REJECT, REJECT_WITHOUT_ALERT, REJECT_NAMING -> {
        String requestId = str(in);
        long hash = in.getLong();
        RequestKind kind = RequestKind.ofCode(code(in));
        String institution = str(in);
        Outcome outcome = Outcome.ofCode(code(in));
        if (type != REJECT && outcome != Outcome.IMPERSONATION) {
          throw new IllegalArgumentException("a reject of type " + type + " of " + outcome + " (expected: IMPERSONATION)");
        }
        String detail = str(in);
        if (type == REJECT_NAMING) {
          return new Command.Reject(requestId, hash, kind, institution, outcome, detail, parties(in));
        }
        return new Command.Reject(requestId, hash, kind, institution, outcome, detail,
            type == REJECT && outcome == Outcome.IMPERSONATION);
      }
      case TICK -> {
        return new Command.Tick();
      }
      case SWEEP, SWEEP_TRANSFERS, SWEEP_ENDED -> {
        return new Command.Sweep(varlong(in), varint(in), type != SWEEP, type == SWEEP_ENDED);
      }
      case RECALLED, RECALLED_TRANSFERS -> {
        long sweeps = varlong(in);
        String requestKey = str(in);
        byte[] request = bytes(in);
        String txnId = str(in);
        byte[] sale = bytes(in);
        List<Command.TransferImage> transfers = List.of();
        if (type == RECALLED_TRANSFERS) {
          int n = varint(in);
          if (n <= 0 || n > in.remaining()) {
            throw new IllegalArgumentException("transfer records: " + n + " (expected: 1 to " + in.remaining() + ")");
          }
          transfers = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            transfers.add(new Command.TransferImage(str(in), bytes(in)));
          }
        }
        if (in.hasRemaining() && (in.get(in.position()) == RECALLED || in.get(in.position()) == RECALLED_TRANSFERS)) {
          throw new IllegalArgumentException("a recalled command inside another");
        }
        Command inner = decodeOne(in);
        return new Command.Recalled(inner, sweeps, requestKey, request.length == 0 ? null : request, txnId,
            sale.length == 0 ? null : sale, transfers);
      }
      case IDEMPOTENT -> {
        String requestId = str(in);
        long hash = in.getLong();
        // Only the changes it may key: anything else (a sale, a recalled command, itself) is refused.
        return new Command.Idempotent(requestId, hash, decodeOne(in));
      }
      case MOVE_CLOCK -> {
        return new Command.MoveClock(in.getLong());
      }
      case CREDIT -> {
        return new Command.Credit(str(in), in.getLong(), str(in), varlong(in));
      }
      case UPSERT_INSURED, UPSERT_INSURED_ACROSS_KEYS -> {
        Insured insured = insured(in, null, null);
        if (type == UPSERT_INSURED) {
          return new Command.UpsertInsured(insured);
        }
        List<Credential> older = credentials(in);
        if (older.isEmpty()) {
          throw new IllegalArgumentException("no older forms (that is UPSERT_INSURED)");
        }
        return new Command.UpsertInsured(insured, older);
      }
      case REKEY_CREDENTIAL -> {
        String psnNo = str(in);
        CredentialType credentialType = CredentialType.ofCode(code(in));
        return new Command.RekeyCredential(psnNo, new Credential(credentialType, str(in)),
            new Credential(credentialType, str(in)));
      }
      case REGISTER_INSTITUTION -> {
        String code = str(in);
        String name = str(in);
        int n = varint(in);
        Set<String> terminals = new HashSet<>();
        for (int i = 0; i < n; i++) {
          terminals.add(str(in));
        }
        return new Command.RegisterInstitution(new Institution(code, name, terminals));
      }
      case SET_REGION_POLICY -> {
        return new Command.SetRegionPolicy(readPolicy(in));
      }
      case UPDATE_REGION_POLICY -> {
        RegionPolicy values = readPolicy(in);
        return new Command.UpdateRegionPolicy(values, RegionPolicy.Field.ofMask(varlong(in)));
      }
      case CREATE_BINDING -> {
        return new Command.CreateBinding(str(in), str(in), Relationship.ofCode(code(in)), varlong(in));
      }
      case REQUEST_BINDING -> {
        return new Command.RequestBinding(str(in), str(in), Relationship.ofCode(code(in)), varlong(in), str(in));
      }
      case UPDATE_BINDING_QUOTA -> {
        return new Command.UpdateBindingQuota(str(in), str(in), varlong(in));
      }
      case OPEN_WALLET -> {
        return new Command.OpenWallet(str(in));
      }
      case ASSIGN_WALLET_QUOTA -> {
        return new Command.AssignWalletQuota(str(in), in.getLong(), str(in), str(in), varlong(in));
      }
      case ANSWER_WALLET_TRANSFER -> {
        return new Command.AnswerWalletTransfer(str(in), str(in), in.get() != 0);
      }
      case REVIEW_BINDING -> {
        return new Command.ReviewBinding(str(in), in.get() != 0, str(in));
      }
      case DISSOLVE_BINDING -> {
        return new Command.DissolveBinding(str(in), str(in));
      }
      case RECORD_ALERT, RECORD_ALERT_NAMING -> {
        String kind = str(in);
        String institution = str(in);
        String psnNo = str(in);
        String detail = str(in);
        return new Command.RecordAlert(kind, institution, psnNo, detail,
            type == RECORD_ALERT_NAMING ? parties(in) : AlertParties.NONE);
      }
      case PAY_PREMIUM -> {
        return new Command.PayPremium(str(in), in.getLong(), str(in), str(in), varlong(in), varint(in));
      }
      case RECORD_DEATH -> {
        return new Command.RecordDeath(str(in));
      }
      case PAY_OUT_TO_HEIRS -> {
        String requestId = str(in);
        long hash = in.getLong();
        String psnNo = str(in);
        int n = count(in);
        List<Command.Heir> heirs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          heirs.add(new Command.Heir(str(in), str(in), varlong(in)));
        }
        return new Command.PayOutToHeirs(requestId, hash, psnNo, heirs);
      }
      default -> throw new IllegalArgumentException("unknown command type " + type);
    }
  }

  /** A count, then each credential's type code and number. */
  private static List<Credential> credentials(ByteBuffer in) {
    int n = count(in);
    List<Credential> creds = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      creds.add(new Credential(CredentialType.ofCode(code(in)), str(in)));
    }
    return creds;
  }

  /** The code of an enum constant: one unsigned byte (see {@link gongji.server.domain.Codes}). */
  private static int code(ByteBuffer in) {
    return in.get() & 0xff;
  }

  /** A number of elements that take at least a byte each: more than the bytes left is damage, not a size. */
  private static int count(ByteBuffer in) {
    int n = varint(in);
    if (n > in.remaining()) {
      throw new IllegalArgumentException("count of " + n + " with " + in.remaining() + " bytes left");
    }
    return n;
  }

  static String str(ByteBuffer in) {
    int n = varint(in);
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("string of " + n + " bytes with " + in.remaining() + " left");
    }
    if (n == 0) {
      return ""; // one instance: two million bindings' empty notes would otherwise be four million strings
    }
    String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }

  /** A length-prefixed byte string (an image of state the writer let go of). */
  static byte[] bytes(ByteBuffer in) {
    int n = varint(in);
    if (n > in.remaining()) {
      throw new IllegalArgumentException("byte string of " + n + " bytes with " + in.remaining() + " left");
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  static int varint(ByteBuffer in) {
    long v = varlong(in);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("varint out of range: " + v);
    }
    return (int) v;
  }

  static long varlong(ByteBuffer in) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.get();
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (result < 0) {
          // Only a 10th byte above 0 sets the sign bit; the encoder writes no negative numbers.
          throw new IllegalArgumentException("varint out of range: " + Long.toUnsignedString(result));
        }
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  /**
   * A growable byte buffer with the writers the codec needs; reused across records. Or, made by
   * {@link #draining}, a buffer of fixed size that hands its bytes on each time it fills: for a
   * snapshot image, written to its file as it is made rather than held whole.
   */
  public static final class Output {
    private byte[] buf;
    private int size;
    /** Where the bytes go when the buffer fills; null: it grows instead. */
    private final Drain drain;
    private long drained;

    public Output(int capacity) {
      this(capacity, null);
    }

    private Output(int capacity, Drain drain) {
      buf = new byte[capacity];
      this.drain = drain;
    }

    /**
     * Where a draining output's bytes go, in order, on the thread that writes them. The array is the
     * output's own (or a caller's, for a long run of bytes): read it before returning, keep none of it.
     */
    @FunctionalInterface
    public interface Drain {
      void drain(byte[] b, int offset, int length);
    }

    /**
     * An output that hands its bytes to {@code drain} each time its {@code capacity} bytes fill, and
     * on {@link #flush}, instead of growing. {@link #size}, {@link #array} and the methods that
     * overwrite or cut then see only the bytes not yet drained; {@link #position} counts them all.
     */
    public static Output draining(int capacity, Drain drain) {
      return new Output(capacity, java.util.Objects.requireNonNull(drain, "drain"));
    }

    /** Hands the bytes written since the last drain to the drain (a draining output; else nothing). */
    public void flush() {
      if (drain != null && size > 0) {
        drain.drain(buf, 0, size);
        drained += size;
        size = 0;
      }
    }

    /** Bytes written since the output was made (or last {@link #reset}), drained or not. */
    public long position() {
      return drained + size;
    }

    public int size() {
      return size;
    }

    public byte[] array() {
      return buf;
    }

    public void reset() {
      size = 0;
      drained = 0;
    }

    /** Forgets everything after the first {@code size} bytes (a record that could not be finished). */
    public void truncate(int size) {
      if (size < 0 || size > this.size) {
        throw new IllegalArgumentException("size: " + size + " (expected: 0.." + this.size + ")");
      }
      this.size = size;
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        flush();
        if (size + more > buf.length) { // growing, or one item longer than a draining buffer
          buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
      }
    }

    public Output u8(int v) {
      ensure(1);
      buf[size++] = (byte) v;
      return this;
    }

    public Output i32(int v) {
      ensure(4);
      buf[size++] = (byte) (v >>> 24);
      buf[size++] = (byte) (v >>> 16);
      buf[size++] = (byte) (v >>> 8);
      buf[size++] = (byte) v;
      return this;
    }

    public Output i64(long v) {
      i32((int) (v >>> 32));
      return i32((int) v);
    }

    public Output varint(int v) {
      return varlong(v);
    }

    public Output varlong(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("negative varint: " + v);
      }
      ensure(10);
      while ((v & ~0x7fL) != 0) {
        buf[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
      return this;
    }

    public Output str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
      return this;
    }

    public Output bytes(byte[] b) {
      return bytes(b, b.length);
    }

    /** The first {@code length} bytes of {@code b}, length first. */
    public Output bytes(byte[] b, int length) {
      varint(length);
      return raw(b, 0, length);
    }

    /**
     * {@code length} bytes of {@code b} from {@code offset}, as they are (no length): a draining
     * output hands a run longer than its buffer to the drain as it is, without copying it.
     */
    public Output raw(byte[] b, int offset, int length) {
      java.util.Objects.checkFromIndexSize(offset, length, b.length);
      if (drain != null && length > buf.length - size) {
        flush();
        if (length > buf.length) {
          drain.drain(b, offset, length);
          drained += length;
          return this;
        }
      }
      ensure(length);
      System.arraycopy(b, offset, buf, size, length);
      size += length;
      return this;
    }

    /** Overwrites 4 bytes at {@code at} (for a length or CRC known only after the payload). */
    public void putI32(int at, int v) {
      buf[at] = (byte) (v >>> 24);
      buf[at + 1] = (byte) (v >>> 16);
      buf[at + 2] = (byte) (v >>> 8);
      buf[at + 3] = (byte) v;
    }
  }
}
