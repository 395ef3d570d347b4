package gongji.loadtest;

import static gongji.loadtest.Checks.checkArgument;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.FundSource;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import gongji.server.ledger.TxnState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The data set and the commands of the ledger benchmark: every sale is a two-leg authorization
 * (the patient's own account and one mutual-aid binding, nothing in cash) that is then settled.
 *
 * <p>How the split stays two-legged for the whole run. The planner drains a source before it moves
 * to the next, so a patient whose own balance is short of the bill would have nothing left after
 * the first visit and every later sale would be one-legged. Instead each bill has a drug line and a
 * health check-up line; patients are insured in a region whose accounts pay only the base medical
 * categories, and their authorizers in one that also allows check-ups. The own account pays the
 * drug line (a small part of the bill), the binding pays the check-up line, and both are funded for
 * {@code fundedVisits} visits per patient, so that no sale in the run is ever short.
 *
 * <p>Everything random comes from one seed: the bills, and which patient and institution each
 * producer uses next. The benchmark checks every result against the split it expects.
 */
final class LedgerWorkload {
  /** Patients' region: accounts pay the base medical categories only. */
  static final String PATIENT_REGION = "620100";
  /** Authorizers' region: accounts also pay health check-ups; a retained floor applies. */
  static final String AUTHORIZER_REGION = "620500";
  static final long AUTHORIZER_FLOOR_FEN = 200_000;
  static final int BENEFICIARIES_PER_AUTHORIZER = 4;
  static final long MIN_DRUG_FEN = 100;
  static final long MAX_DRUG_FEN = 500;
  static final long MIN_CHECKUP_FEN = 5_000;
  static final long MAX_CHECKUP_FEN = 20_000;
  static final String TERMINAL = "POS01";
  private static final int BILL_KINDS = 1024;
  /** Request serials each producer has: ids stay unique across producers. */
  private static final long PRODUCER_SERIALS = 1_000_000_000_000L;
  private static final Relationship[] FAMILY = {
      Relationship.SPOUSE, Relationship.CHILD, Relationship.CHILD, Relationship.PARENT};

  private final String[] patients;
  private final String[] authorizers;
  private final String[] institutions;
  private final long fundedVisits;
  private final Bill[] bills = new Bill[BILL_KINDS];
  private final long[] drugFen = new long[BILL_KINDS];
  private final long[] checkupFen = new long[BILL_KINDS];
  private final long seed;

  LedgerWorkload(int patientCount, int institutionCount, long fundedVisits, long seed) {
    checkArgument(patientCount > 0, "patients: %s (expected: > 0)", patientCount);
    checkArgument(institutionCount > 0, "institutions: %s (expected: > 0)", institutionCount);
    checkArgument(fundedVisits > 0, "fundedVisits: %s (expected: > 0)", fundedVisits);
    this.fundedVisits = fundedVisits;
    this.seed = seed;
    this.patients = new String[patientCount];
    for (int i = 0; i < patientCount; i++) {
      patients[i] = psnNo(PATIENT_REGION, "1990", i);
    }
    this.authorizers = new String[(patientCount + BENEFICIARIES_PER_AUTHORIZER - 1) / BENEFICIARIES_PER_AUTHORIZER];
    for (int i = 0; i < authorizers.length; i++) {
      authorizers[i] = psnNo(AUTHORIZER_REGION, "1960", i);
    }
    this.institutions = new String[institutionCount];
    for (int i = 0; i < institutionCount; i++) {
      institutions[i] = String.format("H%s%05d", PATIENT_REGION, i);
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < BILL_KINDS; i++) {
      drugFen[i] = random.nextLong(MIN_DRUG_FEN, MAX_DRUG_FEN + 1);
      checkupFen[i] = random.nextLong(MIN_CHECKUP_FEN, MAX_CHECKUP_FEN + 1);
      bills[i] = Bill.of(List.of(
          new LineItem("XA01", ItemCategory.DRUG, true, 1, drugFen[i]),
          new LineItem("HC01", ItemCategory.HEALTH_CHECKUP, true, 1, checkupFen[i])));
    }
  }

  private static String psnNo(String region, String year, int i) {
    return String.format("%s%s%016d", region, year, i);
  }

  int patientCount() {
    return patients.length;
  }

  /** The institutions' codes. */
  List<String> institutions() {
    return List.of(institutions);
  }

  /** The commands that build the data set, in order; each must come back OK. */
  List<Command> setUp() {
    List<Command> out = new ArrayList<>();
    out.add(new Command.SetRegionPolicy(new RegionPolicy(PATIENT_REGION, "兰州市", 0, true, true, true,
        Set.of(), RegionPolicy.DEFAULT_HOLD_TTL_SECONDS)));
    out.add(new Command.SetRegionPolicy(new RegionPolicy(AUTHORIZER_REGION, "天水市", AUTHORIZER_FLOOR_FEN, true, true,
        true, Set.of(ItemCategory.HEALTH_CHECKUP, ItemCategory.NON_PROGRAMME_VACCINE),
        RegionPolicy.DEFAULT_HOLD_TTL_SECONDS)));
    for (int i = 0; i < institutions.length; i++) {
      out.add(new Command.RegisterInstitution(new Institution(institutions[i], "医院" + i, Set.of(TERMINAL, "POS02"))));
    }
    long patientFen = Math.multiplyExact(fundedVisits, MAX_DRUG_FEN);
    long authorizerFen = Math.addExact(AUTHORIZER_FLOOR_FEN,
        Math.multiplyExact(BENEFICIARIES_PER_AUTHORIZER, Math.multiplyExact(fundedVisits, MAX_CHECKUP_FEN)));
    for (int i = 0; i < authorizers.length; i++) {
      out.add(insured(authorizers[i], "张建国", AUTHORIZER_REGION));
      out.add(new Command.Credit("setup-credit-" + authorizers[i], authorizers[i].hashCode(), authorizers[i], authorizerFen));
    }
    for (int i = 0; i < patients.length; i++) {
      out.add(insured(patients[i], "李娜", PATIENT_REGION));
      out.add(new Command.Credit("setup-credit-" + patients[i], patients[i].hashCode(), patients[i], patientFen));
      out.add(new Command.CreateBinding(authorizers[i / BENEFICIARIES_PER_AUTHORIZER], patients[i],
          FAMILY[i % BENEFICIARIES_PER_AUTHORIZER], 0));
    }
    return out;
  }

  private static Command insured(String psnNo, String name, String region) {
    return new Command.UpsertInsured(new Insured(psnNo, name, InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL,
        region, List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC" + psnNo))));
  }

  /**
   * The patients one of {@code producers} producers visits, each exactly {@link #fundedVisits} times
   * at most: a seeded shuffle of its share, cycled through.
   */
  Producer producer(int index, int producers) {
    checkArgument(index >= 0 && index < producers, "index: %s (expected: 0..%s)", index, producers - 1);
    checkArgument(fundedVisits * patients.length < PRODUCER_SERIALS, "fundedVisits: %s (too many sales)", fundedVisits);
    int[] mine = new int[(patients.length - index + producers - 1) / producers];
    for (int k = 0; k < mine.length; k++) {
      mine[k] = index + k * producers;
    }
    SplittableRandom random = new SplittableRandom(seed * 31 + index + 1);
    for (int k = mine.length - 1; k > 0; k--) {
      int j = random.nextInt(k + 1);
      int t = mine[k];
      mine[k] = mine[j];
      mine[j] = t;
    }
    return new Producer(index, mine, random);
  }

  /** One producer's stream of sales: not thread-safe, one producer thread each. */
  final class Producer {
    private final int producerIndex;
    private final int[] order;
    private final SplittableRandom random;
    private final long budgetPairs;
    private long next;

    private Producer(int producerIndex, int[] order, SplittableRandom random) {
      this.producerIndex = producerIndex;
      this.order = order;
      this.random = random;
      this.budgetPairs = order.length == 0 ? 0 : fundedVisits * order.length;
    }

    /** Whether the patients' funding allows another sale. */
    boolean hasNext() {
      return next < budgetPairs;
    }

    /** The next sale: its authorization, and what the settlement needs. */
    Sale next() {
      checkArgument(hasNext(), "pair budget of %s spent", budgetPairs);
      long n = next++;
      String psnNo = patients[order[(int) (n % order.length)]];
      String institution = institutions[random.nextInt(institutions.length)];
      int bill = random.nextInt(BILL_KINDS);
      long serial = (producerIndex * PRODUCER_SERIALS + n) * 2;
      String authorizeId = requestId(institution, serial);
      Command.Authorize authorize = new Command.Authorize(authorizeId, contentHash(authorizeId, psnNo, bill), institution,
          TERMINAL, psnNo, MedicalType.HEALTH_CHECKUP, bills[bill], true, true);
      return new Sale(authorize, requestId(institution, serial + 1), drugFen[bill], checkupFen[bill]);
    }
  }

  /**
   * A request id shaped like the national msgid the client SDK sends: the institution code (12
   * characters) and 18 digits, here a serial unique to the producer and the sale, so that no id is
   * ever reused.
   */
  static String requestId(String institution, long serial) {
    checkArgument(serial >= 0 && serial < 1_000_000_000_000_000_000L, "serial: %s (expected: 18 digits)", serial);
    byte[] b = new byte[institution.length() + 18];
    for (int i = 0; i < institution.length(); i++) {
      b[i] = (byte) institution.charAt(i);
    }
    long v = serial;
    for (int i = b.length - 1; i >= institution.length(); i--) {
      b[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  private static long contentHash(String id, String psnNo, int bill) {
    long h = id.hashCode();
    h = h * 0x9E3779B97F4A7C15L + psnNo.hashCode();
    return h * 0x9E3779B97F4A7C15L + bill;
  }

  /** One sale of the workload. */
  record Sale(Command.Authorize authorize, String settleRequestId, long drugFen, long checkupFen) {
    long totalFen() {
      return drugFen + checkupFen;
    }

    Command.Settle settle(String txnId) {
      return new Command.Settle(settleRequestId, settleRequestId.hashCode(), authorize.institution(), txnId, -1);
    }

    /**
     * The transaction id if {@code r} is the expected authorization (own account pays the drug line,
     * the binding the check-up line, nothing in cash); otherwise null.
     */
    String checkAuthorized(Result r) {
      if (!(r instanceof Result.Sale s) || s.txn().state() != TxnState.AUTHORIZED) {
        return null;
      }
      Result.Breakdown b = s.breakdown();
      List<Result.Leg> legs = b.legs();
      if (b.cashPayFen() != 0 || legs.size() != 2 || b.accountPayFen() != drugFen || b.mutualAidPayFen() != checkupFen
          || legs.get(0).source() != FundSource.OWN_ACCOUNT || legs.get(1).source() != FundSource.MUTUAL_AID) {
        return null;
      }
      return s.txn().txnId();
    }

    /** Whether {@code r} is the settlement of the whole authorized amount. */
    boolean checkSettled(Result r) {
      return r instanceof Result.Sale s && s.txn().state() == TxnState.SETTLED && s.breakdown().totalFen() == totalFen()
          && s.breakdown().cashPayFen() == 0;
    }
  }

  /** A short description of a result that failed its check, for the report. */
  static String describe(Result r) {
    if (r instanceof Result.Rejected rejected) {
      return rejected.outcome() + ": " + rejected.detail();
    }
    if (r instanceof Result.Sale s) {
      return "sale " + s.txn().txnId() + " " + s.txn().state() + " " + s.breakdown();
    }
    return String.valueOf(r);
  }
}
