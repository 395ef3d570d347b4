package gongji.server.national;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.Masking;
import gongji.server.domain.IdentityKey;
import gongji.server.domain.MedicalType;
import gongji.server.gateway.Gateway;
import gongji.server.gateway.SaleRequest;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Command;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.RequestKind;
import gongji.server.ledger.Result;
import gongji.server.ledger.Result.Rejected;
import gongji.server.ledger.ReversalOutcome;
import gongji.server.ledger.TxnState;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The money of a sale: 2101/2206 pre-settlement, 2102/2207 settlement, 2103/2208 cancel, 2601
 * reversal and 5203 look-up, each one or two calls of the same {@link Gateway} as gRPC.
 *
 * <ul>
 *   <li>2101 (2206) is our Authorize: it places a hold for the split it returns. 2102 (2207) is
 *       Settle of that hold, found by the {@code mdtrt_id} that 2101 returned when the request
 *       carries it, else by the same input (see {@link PendingPresettlements}), else 2102
 *       authorizes (under {@code msgid + "A"}) and settles (under {@code msgid}) in one step.
 *   <li>2103 (2208) refunds a settled sale and cancels an unsettled one; 2601 reverses the request
 *       {@code omsgid} (for a 2102, its settlement and the authorization made with it).
 *   <li>A {@code psn_no} in a request that names an existing sale (by {@code mdtrt_id},
 *       {@code setl_id} or {@code omsgid}) must be that sale's patient, compared on the masked
 *       number the ledger keeps; otherwise PSN_NO_MISMATCH and nothing is sent to the ledger.
 * </ul>
 */
final class SaleTransactions {
  private final Gateway gateway;
  private final SetlInfo setlinfo;
  private final PendingPresettlements pending = new PendingPresettlements();

  SaleTransactions(Gateway gateway, SetlInfo setlinfo) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.setlinfo = requireNonNull(setlinfo, "setlinfo");
  }

  /**
   * The content hash of a request under a key, with its {@code mdtrt_cert_no} keyed under it (the
   * journal keeps the hash): the current key's, taken once, and an older key's only for a request
   * sent again across a rotation of the key ({@link Gateway#acrossKeys}).
   */
  private ToLongFunction<IdentityKey> hashes(Envelope env, String institution) {
    IdentityKey currentKey = gateway.identityKey();
    long current = Json.contentHash(env.infno(), institution, env.input(), currentKey::text);
    return key -> key == currentKey ? current : Json.contentHash(env.infno(), institution, env.input(), key::text);
  }

  CompletableFuture<Reply> presettle(Envelope env, String node, MedicalType type) {
    SaleInput s = SaleInput.of(env, node, type);
    ToLongFunction<IdentityKey> hash = hashes(env, env.fixmedinsCode());
    CompletableFuture<Result> held = gateway.acrossKeys(key -> gateway.authorize(new SaleRequest(env.msgid(),
        hash.applyAsLong(key), env.terminal(), s.credential(), s.psnNo(), s.medicalType(),
        s.items(), s.useAccount(), s.useMutualAid())));
    return Reply.stream(held, r -> {
      Result.Sale sale = (Result.Sale) r;
      if (sale.txn().state() == TxnState.AUTHORIZED) {
        pending.put(env.fixmedinsCode(), s.inputHash(), sale.txn().txnId(), sale.txn().psnNoMasked());
      }
      return g -> {
        g.writeStartObject();
        g.writeFieldName("setlinfo");
        setlinfo.write(g, sale.txn(), sale.breakdown(), "", s.psnNo(), s.medType(), s.insutype(),
            Codes.certType(s.credential()), env.msgid(), 1);
        g.writeArrayFieldStart("setldetail");
        g.writeEndArray();
        g.writeEndObject();
      };
    });
  }

  CompletableFuture<Reply> settle(Envelope env, String node, MedicalType type) {
    SaleInput s = SaleInput.of(env, node, type);
    String mdtrtId = Fields.optional(s.info(), "mdtrt_id", 30);
    Terminal terminal = env.terminal();
    String institution = env.fixmedinsCode();
    ToLongFunction<IdentityKey> hash = hashes(env, institution);
    Function<String, CompletableFuture<Result>> settleTxn = txnId -> gateway.acrossKeys(key -> gateway.submit(terminal,
        new Command.Settle(env.msgid(), hash.applyAsLong(key), institution, txnId, s.totalFen())));
    CompletableFuture<Result> settled;
    boolean byMdtrtId = mdtrtId != null && Fields.TXN_ID.matcher(mdtrtId).matches();
    long inputHash = byMdtrtId ? 0 : s.inputHash();
    String presettled = byMdtrtId ? null : pending.take(institution, inputHash);
    if (byMdtrtId) {
      settled = samePatient(terminal, mdtrtId, s.psnNo()).thenCompose(v -> settleTxn.apply(mdtrtId))
          .whenComplete((r, error) -> {
            if (r instanceof Result.Sale) {
              pending.settled(institution, mdtrtId);
            }
          });
    } else if (presettled != null) {
      settled = settleTxn.apply(presettled).whenComplete((r, error) -> {
        if (error != null) {
          pending.putBack(institution, inputHash, presettled);
        } else if (r instanceof Result.Sale) {
          pending.settled(institution, presettled);
        }
      });
    } else {
      // No pre-settlement known: a resend finds its own earlier settlement, else authorize and settle in one step.
      settled = gateway.submit(terminal, new Command.GetTransaction(institution, null, env.msgid()))
          .thenCompose(seen -> {
            if (seen instanceof Result.Lookup l) {
              // The msgid was seen: a settlement replays (or is refused as other content); nothing new is held.
              if (l.request().kind() == RequestKind.SETTLE && l.txn() != null) {
                return settleTxn.apply(l.txn().txnId());
              }
              return CompletableFuture.completedFuture(l.request().kind() == RequestKind.TOMBSTONE
                  ? new Rejected(Outcome.REQUEST_ID_REVERSED, "msgid " + env.msgid() + " was reversed (2601)")
                  : new Rejected(Outcome.REQUEST_ID_REUSED, "msgid " + env.msgid() + " was already used for a "
                      + l.request().kind() + " request"));
            }
            if (seen instanceof Rejected x && x.outcome() != Outcome.REQUEST_NOT_FOUND) {
              return CompletableFuture.completedFuture(seen);
            }
            return gateway.acrossKeys(key -> gateway.authorize(new SaleRequest(env.msgid() + "A",
                hash.applyAsLong(key), terminal, s.credential(), s.psnNo(), s.medicalType(), s.items(),
                s.useAccount(), s.useMutualAid()))).thenCompose(held -> held instanceof
                    Result.Sale sale ? settleTxn.apply(sale.txn().txnId()) : CompletableFuture.completedFuture(held));
          });
    }
    return Reply.stream(settled, r -> {
      Result.Sale sale = (Result.Sale) r;
      return g -> {
        g.writeStartObject();
        g.writeFieldName("setlinfo");
        setlinfo.write(g, sale.txn(), sale.breakdown(), sale.txn().txnId(), s.psnNo(), s.medType(), s.insutype(),
            Codes.certType(s.credential()), env.msgid(), 1);
        g.writeArrayFieldStart("setldetail");
        g.writeEndArray();
        if (type == MedicalType.PHARMACY) {
          g.writeArrayFieldStart("detlcutinfo");
          g.writeEndArray();
        }
        g.writeEndObject();
      };
    });
  }

  CompletableFuture<Reply> cancel(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String setlId = Fields.optional(d, "setl_id", 30);
    String mdtrtId = Fields.optional(d, "mdtrt_id", 30);
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    String txnId = setlId != null ? setlId : mdtrtId;
    if (txnId == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段setl_id", "setl_id: missing (expected: a value)");
    }
    Terminal terminal = env.terminal();
    String institution = env.fixmedinsCode();
    if (!Fields.TXN_ID.matcher(txnId).matches()) {
      return Reply.refusedNow(new Rejected(Outcome.TRANSACTION_NOT_FOUND,
          "setl_id " + txnId + " is not a settlement of this gateway"));
    }
    ToLongFunction<IdentityKey> hash = hashes(env, institution);
    CompletableFuture<Result> done = gateway.submit(terminal, new Command.GetTransaction(institution, txnId, null))
        .thenCompose(seen -> {
          if (!(seen instanceof Result.Lookup l)) {
            return CompletableFuture.completedFuture(seen);
          }
          checkPatient(psnNo, l.txn());
          TxnState state = l.txn().state();
          boolean paid = state == TxnState.SETTLED || state == TxnState.REFUNDED;
          return gateway.acrossKeys(key -> gateway.submit(terminal, paid
              ? new Command.Refund(env.msgid(), hash.applyAsLong(key), institution, txnId)
              : new Command.Cancel(env.msgid(), hash.applyAsLong(key), institution, txnId)));
        });
    return Reply.translate(done, r -> {
      Result.Sale sale = (Result.Sale) r;
      boolean refund = sale.txn().state() == TxnState.REFUNDED;
      Result.Breakdown b = refund ? sale.breakdown() : new Result.Breakdown(0, 0, 0, 0, 0, List.of(),
          sale.breakdown().balanceAfterFen());
      ObjectNode out = Json.object();
      ObjectNode info = setlinfo.of(sale.txn(), b, txnId, psnNo, Codes.medTypeCode(sale.txn().medicalType()), null, null,
          env.msgid(), -1);
      info.put("refd_setl_flag", "1");
      out.set("setlinfo", info);
      return out;
    });
  }

  CompletableFuture<Reply> reverse(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    String omsgid = Fields.required(d, "omsgid", 30, Fields.MSGID, "the msgid of the request to reverse");
    String oinfno = Fields.required(d, "oinfno", 6, Fields.INFNO, "the infno of the request to reverse");
    if (!Set.of("2101", "2102", "2103", "2206", "2207", "2208").contains(oinfno)) {
      throw Fields.invalid("oinfno", oinfno, "不是可冲正的交易", "expected: 2101, 2102, 2103, 2206, 2207 or 2208");
    }
    Terminal terminal = env.terminal();
    String institution = env.fixmedinsCode();
    // The psn_no must be the patient of the sale the original request touched, when it touched one.
    CompletableFuture<Void> checked = psnNo == null ? CompletableFuture.completedFuture(null)
        : gateway.submit(terminal, new Command.GetTransaction(institution, null, omsgid)).thenAccept(seen -> {
          if (seen instanceof Result.Lookup l && l.txn() != null) {
            checkPatient(psnNo, l.txn());
          }
        });
    CompletableFuture<Result> first = checked.thenCompose(v ->
        gateway.submit(terminal, new Command.Reverse(institution, omsgid)));
    CompletableFuture<Result> done = !oinfno.equals("2102") && !oinfno.equals("2207") ? first
        // A 2102 without a known pre-settlement also authorized, under msgid + "A": undo (or bar) that too.
        : first.thenCompose(settle -> settle instanceof Rejected ? CompletableFuture.completedFuture(settle)
            : gateway.submit(terminal, new Command.Reverse(institution, omsgid + "A")).thenApply(auth ->
                auth instanceof Rejected ? auth : combine((Result.Reversal) settle, (Result.Reversal) auth)));
    return Reply.translate(done, r -> {
      Result.Reversal rev = (Result.Reversal) r;
      ObjectNode out = Json.object();
      ObjectNode o = out.putObject("data");
      o.put("omsgid", omsgid);
      o.put("oinfno", oinfno);
      o.put("mdtrt_id", rev.txnId());
      o.put("gongji_reversal", rev.reversal().name());
      return out;
    });
  }

  /**
   * Completes when the hold {@code txnId} is {@code psnNo}'s (or {@code psnNo} is absent, or the
   * hold is not found: Settle then refuses it), fails with {@code PSN_NO_MISMATCH} otherwise. The
   * patient of a hold a 2101 placed is known here; another is looked up.
   */
  private CompletableFuture<Void> samePatient(Terminal terminal, String txnId, String psnNo) {
    if (psnNo == null) {
      return CompletableFuture.completedFuture(null);
    }
    String known = pending.patientOf(terminal.institution(), txnId);
    if (known != null) {
      return checkMasked(psnNo, known, txnId);
    }
    return gateway.submit(terminal, new Command.GetTransaction(terminal.institution(), txnId, null)).thenCompose(seen ->
        seen instanceof Result.Lookup l && l.txn() != null ? checkMasked(psnNo, l.txn().psnNoMasked(), txnId)
            : CompletableFuture.completedFuture(null));
  }

  private static CompletableFuture<Void> checkMasked(String psnNo, String psnNoMasked, String txnId) {
    try {
      checkPatient(psnNo, psnNoMasked, txnId);
      return CompletableFuture.completedFuture(null);
    } catch (BadEnvelopeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A request's {@code psn_no} must be the sale's patient, as far as the ledger shows it: the masked
   * number (its length, first and last four characters). Absent, it is not checked.
   */
  private static void checkPatient(String psnNo, Result.TxnView txn) {
    checkPatient(psnNo, txn.psnNoMasked(), txn.txnId());
  }

  private static void checkPatient(String psnNo, String psnNoMasked, String txnId) {
    if (psnNo != null && psnNoMasked != null && !Masking.psnNo(psnNo).equals(psnNoMasked)) {
      throw new BadEnvelopeException("PSN_NO_MISMATCH", "人员编号psn_no与结算" + txnId + "的参保人不符，请核对",
          "psn_no " + psnNo + " is not the patient of setl_id " + txnId + " (" + psnNoMasked + ")");
    }
  }

  /** What the reversal of a one-step 2102 did: the settlement's outcome, unless only the hold existed. */
  private static Result.Reversal combine(Result.Reversal settle, Result.Reversal auth) {
    if (settle.reversal() == ReversalOutcome.NOT_RECEIVED && auth.reversal() != ReversalOutcome.NOT_RECEIVED) {
      return new Result.Reversal(settle.originalRequestId(), auth.reversal(), auth.txnId());
    }
    return settle;
  }

  CompletableFuture<Reply> lookup(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String setlId = Fields.required(d, "setl_id", 30);
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    if (!Fields.TXN_ID.matcher(setlId).matches()) {
      return Reply.refusedNow(new Rejected(Outcome.TRANSACTION_NOT_FOUND,
          "setl_id " + setlId + " is not a settlement of this gateway"));
    }
    return Reply.translate(gateway.submit(env.terminal(), new Command.GetTransaction(env.fixmedinsCode(), setlId, null)),
        r -> {
          Result.TxnView t = ((Result.Lookup) r).txn();
          checkPatient(psnNo, t);
          Result.Breakdown b = t.settled() != null ? t.settled() : t.authorized();
          ObjectNode out = Json.object();
          out.set("setlinfo", setlinfo.of(t, b, t.settled() != null ? t.txnId() : "", psnNo,
              Codes.medTypeCode(t.medicalType()), null, null, null, 1));
          return out;
        });
  }
}
