package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.IdentityKey;
import gongji.server.domain.Masking;
import gongji.server.domain.ReconcileGroup;
import gongji.server.domain.Relationship;
import gongji.server.gateway.Gateway;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Binding;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.GetAccountRequest;
import gongji.v1.Institution;
import gongji.v1.Insured;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** gongji.v1.AdminService: the agency's back office. Translate, call the ledger, translate. */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
  /** {@code insutype} of a reconciliation group: 3 digits. */
  private static final Validator.Shape INSUTYPE = new Validator.Shape("", "0123456789", 3, 3);
  /** {@code clr_type} of a reconciliation group: 2 digits. */
  private static final Validator.Shape CLR_TYPE = new Validator.Shape("", "0123456789", 2, 2);
  private final Gateway gateway;
  private final java.time.InstantSource clock;
  private final gongji.server.SandboxClock sandbox;

  public AdminGrpcService(Gateway gateway) {
    this(gateway, java.time.InstantSource.system(), null);
  }

  /** The back office on {@code clock}; {@code sandbox}, when not null, is that clock and may be moved. */
  public AdminGrpcService(Gateway gateway, java.time.InstantSource clock, gongji.server.SandboxClock sandbox) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.clock = requireNonNull(clock, "clock");
    this.sandbox = sandbox;
  }

  @Override
  public void getClock(gongji.v1.GetClockRequest req, StreamObserver<gongji.v1.Clock> out) {
    Replies.send(out, Map.of(), () -> CompletableFuture.completedFuture(new Result.Done()), r -> clockNow());
  }

  @Override
  public void moveClock(gongji.v1.MoveClockRequest req, StreamObserver<gongji.v1.Clock> out) {
    long[] host = new long[1];
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      if (sandbox == null) {
        return CompletableFuture.completedFuture(new Result.Rejected(Outcome.SANDBOX_ONLY,
            "the clock moves only on a sandbox gateway (serve --demo)"));
      }
      host[0] = sandbox.hostMillis();
      long now = host[0] + sandbox.offsetMillis();
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      long to = now;
      if (req.hasToTime() == (req.getAdvanceSeconds() != 0)) {
        v.fail("advance_seconds", req.getAdvanceSeconds() + " with to_time " + (req.hasToTime() ? "set" : "unset")
            + " (expected: exactly one of advance_seconds and to_time)");
      } else if (req.hasToTime()) {
        to = Math.min(toMillis(req.getToTime()), Long.MAX_VALUE / 2);
        // A time not ahead of the clock is refused by the ledger, after a retry of the same id is answered.
        if (to - now > gongji.server.SandboxClock.MAX_MOVE_MILLIS || to <= 0) {
          v.fail("to_time", toMillis(req.getToTime()) + " ms (expected: after the clock's " + now
              + " ms, at most a year ahead)");
        }
      } else {
        v.range("advance_seconds", req.getAdvanceSeconds(), 1, gongji.server.SandboxClock.MAX_MOVE_MILLIS / 1000);
        to = now + req.getAdvanceSeconds() * 1000;
      }
      v.check();
      // The ledger moves its time (journaled: a restart keeps it; what falls due happens at once)
      // under the request id, so a retry moves nothing twice; the sandbox's clock then follows it.
      return gateway.admin(Protos.keyed(req.getRequestId(), req, new Command.MoveClock(to)));
    }, r -> {
      Result.ClockMoved moved = (Result.ClockMoved) r;
      if (!moved.moved()) {
        Validator v = new Validator();
        v.fail("to_time", toMillis(req.getToTime()) + " ms (expected: after the clock's " + moved.nowMillis()
            + " ms, at most a year ahead)");
        v.check();
      }
      sandbox.catchUpTo(moved.nowMillis(), host[0]);
      return clockNow();
    });
  }

  /** A time in epoch milliseconds; one before 1970 or after 9999 as 0, so that the range check refuses it. */
  private static long toMillis(com.google.protobuf.Timestamp t) {
    boolean valid = t.getSeconds() >= 0 && t.getSeconds() <= 253_402_300_799L && t.getNanos() >= 0;
    return valid ? t.getSeconds() * 1000 + t.getNanos() / 1_000_000 : 0;
  }

  private gongji.v1.Clock clockNow() {
    return gongji.v1.Clock.newBuilder().setNow(Protos.timestamp(clock.millis()))
        .setOffsetSeconds(sandbox == null ? 0 : sandbox.offsetMillis() / 1000).setSandbox(sandbox != null).build();
  }

  @Override
  public void registerInstitution(RegisterInstitutionRequest req, StreamObserver<Institution> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      Protos.requireRequestId(req.getRequestId());
      return gateway.admin(Protos.keyed(req.getRequestId(), req,
          new Command.RegisterInstitution(Protos.institution(req.getInstitution()))));
    }, r -> req.getInstitution());
  }

  @Override
  public void upsertInsured(UpsertInsuredRequest req, StreamObserver<Insured> out) {
    Replies.send(out, Map.of("psn_no", req.getInsured().getPsnNo()), () -> {
      Protos.requireRequestId(req.getRequestId());
      // The id's content hash, which the journal keeps, is taken over the credentials as kept (keyed):
      // one over the numbers themselves would let a reader of the journal find them by trying.
      // During a rotation of the key, a request sent again is matched under the key it was first hashed with.
      Command.UpsertInsured change = new Command.UpsertInsured(Protos.insured(req.getInsured()));
      return gateway.acrossKeys(key -> gateway.admin(new Command.Idempotent(req.getRequestId(),
          Protos.contentHash(keyedNumbers(req, key)), change)));
    }, r -> req.getInsured());
  }

  @Override
  public void creditAccount(CreditAccountRequest req, StreamObserver<Account> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId(), "psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.range("amount_fen", req.getAmountFen(), 1, Protos.MAX_CREDIT_FEN);
      v.check();
      return gateway.admin(new Command.Credit(req.getRequestId(), Protos.contentHash(req), req.getPsnNo(),
          req.getAmountFen()));
    }, Protos::account);
  }

  @Override
  public void getAccount(GetAccountRequest req, StreamObserver<Account> out) {
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.check();
      return gateway.admin(new Command.GetAccount(req.getPsnNo()));
    }, Protos::account);
  }

  @Override
  public void createBinding(CreateBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      Command.CreateBinding create = binding(v, "", req.getAuthorizerPsnNo(), req.getBeneficiaryPsnNo(),
          req.getRelationshipValue(), req.getQuotaFen());
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req, create));
    }, Protos::binding);
  }

  /**
   * A binding to create, its fields checked into {@code v} under {@code field} ("" or "lines[3].");
   * null when the relationship is not one (use it only after {@code v.check()}).
   */
  private static Command.CreateBinding binding(Validator v, String field, String authorizer, String beneficiary,
      int relationship, long quotaFen) {
    v.matches(field + "authorizer_psn_no", authorizer, Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
    v.matches(field + "beneficiary_psn_no", beneficiary, Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
    Relationship rel = v.required(field + "relationship", Protos.RELATIONSHIP.toDomain(relationship), relationship);
    v.range(field + "quota_fen", quotaFen, 0, 100_000_000);
    return rel == null ? null : new Command.CreateBinding(authorizer, beneficiary, rel, quotaFen);
  }

  @Override
  public void upsertInsureds(gongji.v1.UpsertInsuredsRequest req, StreamObserver<gongji.v1.UpsertInsuredsResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      batchShape(req.getRequestId(), "insureds", req.getInsuredsCount(), MAX_INSUREDS_PER_BATCH);
      List<Command.UpsertInsured> changes = new java.util.ArrayList<>(req.getInsuredsCount());
      for (int i = 0; i < req.getInsuredsCount(); i++) {
        changes.add(new Command.UpsertInsured(Protos.insured("insureds[" + i + "]", req.getInsureds(i))));
      }
      List<CompletableFuture<Result>> lines = new java.util.ArrayList<>(changes.size());
      for (int i = 0; i < changes.size(); i++) {
        // As UpsertInsured: the content hash is taken over the credentials as kept (keyed), and during a
        // rotation of the key a batch sent again is matched under the key it was first hashed with.
        gongji.v1.Insured p = req.getInsureds(i);
        String id = req.getRequestId() + "-" + i;
        Command.UpsertInsured change = changes.get(i);
        lines.add(gateway.acrossKeys(key -> gateway.admin(new Command.Idempotent(id,
            Protos.contentHash(keyedNumbers(p, key)), change))));
      }
      return together(lines);
    }, r -> {
      gongji.v1.UpsertInsuredsResponse.Builder b = gongji.v1.UpsertInsuredsResponse.newBuilder();
      for (gongji.server.ledger.Result line : ((gongji.server.ledger.Result.Batch) r).results()) {
        b.addResults(line instanceof gongji.server.ledger.Result.Rejected rej
            ? gongji.v1.InsuredLineResult.newBuilder().setErrorReason(rej.outcome().name()).setErrorMessage(rej.detail())
                .build()
            : gongji.v1.InsuredLineResult.getDefaultInstance());
      }
      return b.build();
    });
  }

  @Override
  public void createBindings(gongji.v1.CreateBindingsRequest req, StreamObserver<gongji.v1.CreateBindingsResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      batchShape(req.getRequestId(), "lines", req.getLinesCount(), MAX_BINDINGS_PER_BATCH);
      Validator v = new Validator();
      List<Command.CreateBinding> creates = new java.util.ArrayList<>(req.getLinesCount());
      for (int i = 0; i < req.getLinesCount(); i++) {
        gongji.v1.BindingLine line = req.getLines(i);
        creates.add(binding(v, "lines[" + i + "].", line.getAuthorizerPsnNo(), line.getBeneficiaryPsnNo(),
            line.getRelationshipValue(), line.getQuotaFen()));
      }
      v.check();
      List<CompletableFuture<Result>> lines = new java.util.ArrayList<>(creates.size());
      for (int i = 0; i < creates.size(); i++) {
        lines.add(gateway.admin(Protos.keyed(req.getRequestId() + "-" + i, req.getLines(i), creates.get(i))));
      }
      return together(lines);
    }, r -> {
      gongji.v1.CreateBindingsResponse.Builder b = gongji.v1.CreateBindingsResponse.newBuilder();
      for (gongji.server.ledger.Result line : ((gongji.server.ledger.Result.Batch) r).results()) {
        b.addResults(line instanceof gongji.server.ledger.Result.Rejected rej
            ? gongji.v1.BindingLineResult.newBuilder().setErrorReason(rej.outcome().name()).setErrorMessage(rej.detail())
            : gongji.v1.BindingLineResult.newBuilder().setBinding(Protos.binding(line)));
      }
      return b.build();
    });
  }

  /** The most persons one UpsertInsureds takes (a person is up to about 1 KB: the batch stays under 1 MiB). */
  static final int MAX_INSUREDS_PER_BATCH = 1_000;
  /** The most lines one CreateBindings takes. */
  static final int MAX_BINDINGS_PER_BATCH = 10_000;

  /** A batch's id and size, checked: INVALID_ARGUMENT naming {@code request_id} or {@code what}. */
  private static void batchShape(String requestId, String what, int n, int max) {
    Validator v = new Validator();
    v.matches("request_id", requestId, Validator.BATCH_ID, "1..50 of [A-Za-z0-9_-]");
    if (n == 0 || n > max) {
      v.fail(what, n + " " + what + " (expected: 1.." + max + ")");
    }
    v.check();
  }

  /**
   * A batch's lines, each its own command submitted at once (the sequencer groups them into few
   * fsyncs), answered once every one has its result, in the lines' order.
   */
  private static CompletableFuture<Result> together(List<CompletableFuture<Result>> lines) {
    return CompletableFuture.allOf(lines.toArray(new CompletableFuture<?>[0]))
        .thenApply(ignored -> new Result.Batch(lines.stream().map(CompletableFuture::join).toList()));
  }


  @Override
  public void recordDeath(gongji.v1.RecordDeathRequest req, StreamObserver<Insured> out) {
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req, new Command.RecordDeath(req.getPsnNo())))
          .thenCompose(r -> r instanceof gongji.server.ledger.Result.Rejected ? java.util.concurrent.CompletableFuture
              .completedFuture(r) : gateway.admin(new Command.LoadReference(Command.ReferenceKind.INSURED, req.getPsnNo())));
    }, r -> Protos.insured((gongji.server.domain.Insured) ((gongji.server.ledger.Result.Reference) r).value()));
  }

  @Override
  public void payOutToHeirs(gongji.v1.PayOutToHeirsRequest req, StreamObserver<gongji.v1.Payout> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId(), "psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      int n = req.getHeirsCount();
      if (n == 0 || n > 20) {
        v.fail("heirs", n + " heirs (expected: 1..20)");
      }
      java.util.List<Command.Heir> heirs = new java.util.ArrayList<>();
      for (int i = 0; i < n && i < 20; i++) {
        gongji.v1.Heir h = req.getHeirs(i);
        v.text("heirs[" + i + "].name", h.getName(), 1, 50);
        v.printable("heirs[" + i + "].id_number", h.getIdNumber(), 1, 64);
        v.range("heirs[" + i + "].amount_fen", h.getAmountFen(), 0, 10_000_000_000L);
        // The gateway keys the identity number before the ledger: the journal, the snapshot and
        // history hold its keyed hash only; the content hash is taken over the keyed numbers too.
        heirs.add(new Command.Heir(h.getName(), h.getIdNumber(), Math.max(0, h.getAmountFen())));
      }
      v.check();
      return gateway.acrossKeys(key -> gateway.admin(new Command.PayOutToHeirs(req.getRequestId(),
          Protos.contentHash(keyedNumbers(req, key)), req.getPsnNo(), heirs)));
    }, r -> payout(req, (gongji.server.ledger.Result.Payout) r));
  }

  /**
   * The reply to a payout: each heir's name and masked identity number from the request (the ledger
   * keeps only the number's keyed hash), the amounts from the ledger. A retry has the same heirs in
   * the same order (its content hash is the same), so the ledger's answer lines up with them.
   */
  private static gongji.v1.Payout payout(gongji.v1.PayOutToHeirsRequest req, gongji.server.ledger.Result.Payout p) {
    gongji.v1.Payout.Builder b = gongji.v1.Payout.newBuilder().setPsnNo(p.psnNo()).setTotalFen(p.totalFen());
    for (int i = 0; i < p.heirs().size(); i++) {
      Command.Heir h = p.heirs().get(i);
      String idMasked = i < req.getHeirsCount() ? Masking.idNumber(req.getHeirs(i).getIdNumber()) : "";
      b.addHeirs(gongji.v1.Heir.newBuilder().setName(h.name()).setIdNumber(idMasked).setAmountFen(h.amountFen()));
    }
    return b.build();
  }

  /** {@code req} with every credential number keyed, for its content hash. */
  private static UpsertInsuredRequest keyedNumbers(UpsertInsuredRequest req, IdentityKey key) {
    return req.toBuilder().setInsured(keyedNumbers(req.getInsured(), key)).build();
  }

  /** {@code person} with every credential number keyed with {@code key}, for a content hash. */
  private static gongji.v1.Insured keyedNumbers(gongji.v1.Insured person, IdentityKey key) {
    gongji.v1.Insured.Builder insured = person.toBuilder();
    for (int i = 0; i < insured.getCredentialsCount(); i++) {
      gongji.v1.Credential c = insured.getCredentials(i);
      insured.setCredentials(i, c.toBuilder().setNumber(keyed(c, key)));
    }
    return insured.build();
  }

  /** {@code req} with every heir's identity number keyed, for its content hash. */
  private static gongji.v1.PayOutToHeirsRequest keyedNumbers(gongji.v1.PayOutToHeirsRequest req, IdentityKey key) {
    gongji.v1.PayOutToHeirsRequest.Builder b = req.toBuilder();
    for (int i = 0; i < b.getHeirsCount(); i++) {
      b.setHeirs(i, b.getHeirs(i).toBuilder().setIdNumber(key.idNumber(b.getHeirs(i).getIdNumber())));
    }
    return b.build();
  }

  /** A credential's number as the gateway keeps it (as given when its type is not one the gateway knows). */
  private static String keyed(gongji.v1.Credential c, IdentityKey key) {
    gongji.server.domain.CredentialType type = Protos.CREDENTIAL_TYPE.toDomain(c.getTypeValue());
    return type == null ? c.getNumber()
        : key.credential(new gongji.server.domain.Credential(type, c.getNumber())).number();
  }

  @Override
  public void listAlerts(gongji.v1.ListAlertsRequest req, StreamObserver<gongji.v1.ListAlertsResponse> out) {
    int[] size = new int[1];
    Replies.send(out, Map.of(), () -> {
      Validator v = new Validator();
      size[0] = PageTokens.pageSize(v, req.getPageSize());
      long after = PageTokens.position(v, req.getPageToken(), "alerts");
      v.check();
      return gateway.history(new HistoryQuery.Alerts(after, size[0] + 1));
    }, r -> {
      java.util.List<gongji.server.ledger.Result.Alert> alerts = ((gongji.server.ledger.Result.Alerts) r).alerts();
      gongji.v1.ListAlertsResponse.Builder b = gongji.v1.ListAlertsResponse.newBuilder();
      for (int i = 0; i < alerts.size() && i < size[0]; i++) {
        gongji.server.ledger.Result.Alert a = alerts.get(i);
        b.addAlerts(gongji.v1.Alert.newBuilder().setSeq(a.seq()).setTime(Protos.timestamp(a.atMillis())).setKind(a.kind())
            .setFixmedinsCode(a.institution()).setPsnNo(a.psnNo()).setDetail(a.detail())
            .setClaimedPsnNoMasked(a.parties().claimedMasked()).setOwnerPsnNoMasked(a.parties().ownerMasked())
            .setTerminalId(a.parties().terminalId()).setOperatorId(a.parties().operatorId()));
      }
      if (alerts.size() > size[0]) {
        b.setNextPageToken(PageTokens.next(alerts.get(size[0] - 1).seq(), "alerts"));
      }
      return b.build();
    });
  }

  @Override
  public void getRegionPolicy(gongji.v1.GetRegionPolicyRequest req, StreamObserver<RegionPolicy> out) {
    Replies.send(out, Map.of("admdvs", req.getAdmdvs()), () -> {
      Validator v = new Validator();
      v.matches("admdvs", req.getAdmdvs(), Validator.ADMDVS, "6 digits, e.g. 620100");
      v.check();
      return gateway.admin(new Command.GetRegionPolicy(req.getAdmdvs()));
    }, AdminGrpcService::policy);
  }

  @Override
  public void updateRegionPolicy(gongji.v1.UpdateRegionPolicyRequest req, StreamObserver<RegionPolicy> out) {
    Replies.send(out, Map.of("admdvs", req.getPolicy().getAdmdvs(), "request_id", req.getRequestId()), () -> {
      Protos.requireRequestId(req.getRequestId());
      return gateway.admin(Protos.keyed(req.getRequestId(), req, Protos.policyUpdate(req.getPolicy(),
          req.getUpdateMask())));
    }, AdminGrpcService::policy);
  }

  private static RegionPolicy policy(Result r) {
    return Protos.policy((gongji.server.domain.RegionPolicy) ((Result.Reference) r).value());
  }

  @Override
  public void creditAccounts(gongji.v1.CreditAccountsRequest req, StreamObserver<gongji.v1.CreditAccountsResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      Validator v = new Validator();
      v.matches("request_id", req.getRequestId(), Validator.BATCH_ID, "1..50 of [A-Za-z0-9_-]");
      int n = req.getLinesCount();
      if (n == 0 || n > 10_000) {
        v.fail("lines", n + " lines (expected: 1..10000)");
      }
      for (int i = 0; i < n && i < 10_000; i++) {
        v.matches("lines[" + i + "].psn_no", req.getLines(i).getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
        v.range("lines[" + i + "].amount_fen", req.getLines(i).getAmountFen(), 1, Protos.MAX_CREDIT_FEN);
      }
      v.check();
      // Each line is its own command, submitted together: the sequencer batches them into few fsyncs.
      List<CompletableFuture<Result>> credits = new java.util.ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        gongji.v1.CreditLine line = req.getLines(i);
        credits.add(gateway.admin(new Command.Credit(req.getRequestId() + "-" + i, Protos.contentHash(line),
            line.getPsnNo(), line.getAmountFen())));
      }
      return together(credits);
    }, r -> {
      gongji.v1.CreditAccountsResponse.Builder b = gongji.v1.CreditAccountsResponse.newBuilder();
      for (gongji.server.ledger.Result line : ((gongji.server.ledger.Result.Batch) r).results()) {
        if (line instanceof gongji.server.ledger.Result.Rejected rej) {
          b.addResults(gongji.v1.CreditLineResult.newBuilder().setErrorReason(rej.outcome().name())
              .setErrorMessage(rej.detail()));
        } else {
          b.addResults(gongji.v1.CreditLineResult.newBuilder().setAccount(Protos.account(line)));
        }
      }
      return b.build();
    });
  }

  @Override
  public void reconcile(gongji.v1.ReconcileRequest req, StreamObserver<gongji.v1.ReconcileResponse> out) {
    Replies.send(out, Map.of("fixmedins_code", req.getFixmedinsCode()), () -> {
      Validator v = new Validator();
      v.matches("fixmedins_code", req.getFixmedinsCode(), Validator.INSTITUTION, "H or P, then 11 digits");
      long day = Protos.day(v, "date", req.hasDate(), req.getDate());
      v.check();
      return gateway.history(new HistoryQuery.Reconcile(req.getFixmedinsCode(), day));
    }, r -> {
      gongji.server.ledger.Result.Reconciliation rec = (gongji.server.ledger.Result.Reconciliation) r;
      gongji.v1.ReconcileResponse.Builder b = gongji.v1.ReconcileResponse.newBuilder()
          .setFixmedinsCode(rec.institution()).setDate(req.getDate()).setSettlements(totals(rec.settlements()))
          .setRefunds(totals(rec.refunds()));
      for (gongji.server.ledger.Result.GroupTotals g : rec.groups()) {
        b.addGroups(gongji.v1.ReconcileGroupTotals.newBuilder().setInsutype(g.group().insutypeText())
            .setClrType(g.group().clrTypeText()).setSetlOptins(g.group().setlOptins())
            .setSettlements(totals(g.settlements())).setRefunds(totals(g.refunds())));
      }
      return b.build();
    });
  }

  @Override
  public void listReconcileDetails(gongji.v1.ListReconcileDetailsRequest req,
      StreamObserver<gongji.v1.ListReconcileDetailsResponse> out) {
    // A token of one group's pages is refused for another's (the offset counts that group's lines).
    String named = req.getInsutype() + "/" + req.getClrType() + "/" + req.getSetlOptins();
    com.google.type.Date date = req.getDate();
    String query = req.getFixmedinsCode() + "/" + String.format("%04d-%02d-%02d", date.getYear(), date.getMonth(),
        date.getDay()) + (named.equals("//") ? "" : "/" + named);
    int[] offset = new int[1];
    Replies.send(out, Map.of("fixmedins_code", req.getFixmedinsCode()), () -> {
      Validator v = new Validator();
      v.matches("fixmedins_code", req.getFixmedinsCode(), Validator.INSTITUTION, "H or P, then 11 digits");
      long day = Protos.day(v, "date", req.hasDate(), date);
      int size = PageTokens.pageSize(v, req.getPageSize());
      offset[0] = PageTokens.offset(v, req.getPageToken(), query);
      v.optional("insutype", req.getInsutype(), INSUTYPE, "empty or 3 digits, e.g. 310 or 390");
      v.optional("clr_type", req.getClrType(), CLR_TYPE, "empty or 2 digits, e.g. 41");
      v.optional("setl_optins", req.getSetlOptins(), Validator.ADMDVS, "empty or 6 digits");
      ReconcileGroup.Filter group = new ReconcileGroup.Filter(req.getInsutype(), req.getClrType(),
          req.getSetlOptins());
      v.check();
      return gateway.history(new HistoryQuery.ReconcileDetail(req.getFixmedinsCode(), day,
          offset[0], size, group));
    }, r -> {
      gongji.server.ledger.Result.ReconcileLines lines = (gongji.server.ledger.Result.ReconcileLines) r;
      gongji.v1.ListReconcileDetailsResponse.Builder b = gongji.v1.ListReconcileDetailsResponse.newBuilder();
      for (gongji.server.ledger.Result.ReconcileLine l : lines.lines()) {
        b.addDetails(gongji.v1.ReconcileDetail.newBuilder().setTransactionId(l.txnId()).setKind(l.kind())
            .setTime(Protos.timestamp(l.atMillis())).setTotalFen(l.totalFen()).setAccountPayFen(l.ownFen())
            .setMutualAidPayFen(l.aidFen()).setCashPayFen(l.cashFen()).setInsutype(l.group().insutypeText())
            .setClrType(l.group().clrTypeText()).setSetlOptins(l.group().setlOptins()));
      }
      if (lines.more()) {
        b.setNextPageToken(PageTokens.next(offset[0] + lines.lines().size(), query));
      }
      return b.build();
    });
  }

  private static gongji.v1.ReconcileTotals totals(long[] t) {
    return gongji.v1.ReconcileTotals.newBuilder().setCount(t[0]).setTotalFen(t[1]).setAccountPayFen(t[2])
        .setMutualAidPayFen(t[3]).setCashPayFen(t[4]).build();
  }
}
