package gongji.server.gateway;

import gongji.server.domain.Masking;
import gongji.server.text.SafeText;
import static java.util.Objects.requireNonNull;

import gongji.server.cache.ReferenceCache;
import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.IdentityKey;
import gongji.server.domain.IdentityKeys;
import gongji.server.domain.Institution;
import gongji.server.domain.Insured;
import gongji.server.ledger.AlertParties;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryApplier;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryUnavailableException;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.RequestKind;
import gongji.server.ledger.Result;
import gongji.server.ledger.Result.Rejected;
import gongji.server.ledger.Sequencer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The path of a request between the transport and the ledger: resolve the terminal and the patient
 * from cached reference data, refuse early what the cache already proves impossible, and submit
 * one command to the sequencer. Nothing here blocks: every step is a future.
 *
 * <p>Identity and credential numbers stop here: every credential presented or registered, and
 * every heir's identity number, is replaced by its keyed hash ({@link IdentityKey}) before it
 * reaches the cache or the ledger, so the journal, the snapshots and history never hold one.
 * During a rotation of the key ({@link IdentityKeys}: older keys still in use), new numbers are
 * keyed under the current key only; a presented credential is looked for under the current key,
 * then under each older key, newest first, and one found under an older key is keyed again under
 * the current key by a journaled command ({@link Command.RekeyCredential}), in passing.
 *
 * <p>An Authorize that the cache refuses is still sent to the ledger, as a {@link Command.Reject},
 * so that its id stays failed (and an earlier request with the same id and content still wins).
 * A terminal that is not registered is refused without a trace in the ledger: that is access
 * control, not a request.
 */
public final class Gateway {
  private static final Logger log = Logger.getLogger(Gateway.class.getName());

  private final Sequencer sequencer;
  private final ReferenceCache cache;
  private final FraudObserver fraud;
  private final HistoryApplier history;
  private final Executor historyReaders;
  private final AlertGate alerts;
  private final IdentityKeys identityKeys;
  private final IdentityKey identityKey;

  /**
   * A gateway in front of {@code sequencer}; questions about history are answered from
   * {@code history}'s store on {@code historyReaders} (reads may touch the disk: never on an event loop).
   */
  public Gateway(Sequencer sequencer, ReferenceCache cache, FraudObserver fraud, HistoryApplier history,
      Executor historyReaders) {
    this(sequencer, cache, fraud, history, historyReaders, AlertGate.OPEN);
  }

  /**
   * The same, with fraud alerts recorded as {@code alerts} allows per terminal, and numbers kept
   * under the demo's published key (tests).
   */
  public Gateway(Sequencer sequencer, ReferenceCache cache, FraudObserver fraud, HistoryApplier history,
      Executor historyReaders, AlertGate alerts) {
    this(sequencer, cache, fraud, history, historyReaders, alerts, IdentityKey.DEMO);
  }

  /** The same, with identity and credential numbers kept under {@code identityKey}. */
  public Gateway(Sequencer sequencer, ReferenceCache cache, FraudObserver fraud, HistoryApplier history,
      Executor historyReaders, AlertGate alerts, IdentityKey identityKey) {
    this(sequencer, cache, fraud, history, historyReaders, alerts, IdentityKeys.of(identityKey));
  }

  /**
   * The same, with identity and credential numbers kept under the current key of
   * {@code identityKeys} and looked for under its older keys too.
   */
  public Gateway(Sequencer sequencer, ReferenceCache cache, FraudObserver fraud, HistoryApplier history,
      Executor historyReaders, AlertGate alerts, IdentityKeys identityKeys) {
    this.identityKeys = requireNonNull(identityKeys, "identityKeys");
    this.identityKey = identityKeys.current();
    this.alerts = requireNonNull(alerts, "alerts");
    this.sequencer = requireNonNull(sequencer, "sequencer");
    this.cache = requireNonNull(cache, "cache");
    this.fraud = requireNonNull(fraud, "fraud");
    this.history = requireNonNull(history, "history");
    this.historyReaders = requireNonNull(historyReaders, "historyReaders");
  }

  /**
   * The key numbers are kept under: the transports hash a request's identity numbers with it before
   * they take the request's content hash, which the journal keeps.
   */
  public IdentityKey identityKey() {
    return identityKey;
  }

  /** The current key and the older keys still in use. */
  public IdentityKeys identityKeys() {
    return identityKeys;
  }

  /**
   * A request whose content hash covers a keyed number (the national interface's
   * {@code mdtrt_cert_no}, a registration's credentials, heirs' identity numbers), sent as
   * {@code attempt} makes it with its hash taken under a key: first the current key; when the ledger
   * answers REQUEST_ID_REUSED and older keys are in use, again with the hash under each older key,
   * newest first, so that a request sent again across a rotation of the key still matches its first
   * copy (which was hashed under the key current then). Content that matches under no key keeps
   * the first refusal. Each attempt is journaled; one refused as REQUEST_ID_REUSED changes nothing.
   */
  public CompletableFuture<Result> acrossKeys(Function<IdentityKey, CompletableFuture<Result>> attempt) {
    CompletableFuture<Result> first = attempt.apply(identityKey);
    return identityKeys.older().isEmpty() ? first : first.thenCompose(r -> olderAttempt(attempt, r, 0));
  }

  private CompletableFuture<Result> olderAttempt(Function<IdentityKey, CompletableFuture<Result>> attempt,
      Result refused, int i) {
    if (!(refused instanceof Rejected r && r.outcome() == Outcome.REQUEST_ID_REUSED)
        || i == identityKeys.older().size()) {
      return CompletableFuture.completedFuture(refused);
    }
    return attempt.apply(identityKeys.older().get(i)).thenCompose(again ->
        again instanceof Rejected a && a.outcome() == Outcome.REQUEST_ID_REUSED
            ? olderAttempt(attempt, refused, i + 1) : CompletableFuture.completedFuture(again));
  }

  /** Identify: the patient behind a credential, their own balance and their mutual-aid sources. */
  public CompletableFuture<Result> identify(Terminal terminal, Credential presented, String claimedPsnNo) {
    return then(checkTerminal(terminal), refused -> {
      if (refused != null) {
        return CompletableFuture.completedFuture(refused);
      }
      return then(resolvePatient(terminal, presented, claimedPsnNo), patient -> {
        if (patient instanceof Impersonated i) {
          if (!i.recorded()) {
            return CompletableFuture.completedFuture(i.rejected());
          }
          summarize(terminal, i);
          // No request id to keep the refusal under: record the alert itself, then refuse.
          return sequencer.submit(new Command.RecordAlert(Outcome.IMPERSONATION.name(), terminal.institution(),
              claimedPsnNo, i.rejected().detail(), i.parties())).thenApply(done -> i.rejected());
        }
        if (patient instanceof Rejected r) {
          return CompletableFuture.completedFuture(r);
        }
        // Answered here, on the calling thread, from the view the writer publishes; the writer answers
        // what the view cannot (a person it does not hold yet, a hold falling due) and takes them in.
        String psnNo = ((Resolved) patient).insured.psnNo();
        Result seen = sequencer.identityView().answer(psnNo, terminal.institution());
        return seen != null ? CompletableFuture.completedFuture(seen)
            : sequencer.submit(new Command.Identify(psnNo, terminal.institution()));
      });
    });
  }

  /** Authorize: resolve, pre-check, then let the ledger compute and hold the split. */
  public CompletableFuture<Result> authorize(SaleRequest r) {
    return then(checkTerminal(r.terminal()), refused -> {
      if (refused != null) {
        return CompletableFuture.completedFuture(refused);
      }
      return then(resolvePatient(r.terminal(), r.credential(), r.claimedPsnNo()), patient -> {
        if (patient instanceof Impersonated i) {
          summarize(r.terminal(), i);
          return sequencer.submit(i.recorded()
              ? new Command.Reject(r.requestId(), r.contentHash(), RequestKind.AUTHORIZE, r.terminal().institution(),
                  Outcome.IMPERSONATION, i.rejected().detail(), i.parties())
              : new Command.Reject(r.requestId(), r.contentHash(), RequestKind.AUTHORIZE, r.terminal().institution(),
                  Outcome.IMPERSONATION, i.rejected().detail(), false));
        }
        if (patient instanceof Rejected rejected) {
          return sequencer.submit(new Command.Reject(r.requestId(), r.contentHash(), RequestKind.AUTHORIZE,
              r.terminal().institution(), rejected.outcome(), rejected.detail()));
        }
        Insured insured = ((Resolved) patient).insured;
        if (!insured.active()) {
          return sequencer.submit(new Command.Reject(r.requestId(), r.contentHash(), RequestKind.AUTHORIZE,
              r.terminal().institution(), Outcome.INSURED_NOT_ACTIVE,
              "the patient's insured status is " + insured.status() + " (expected: NORMAL)"));
        }
        return sequencer.submit(new Command.Authorize(r.requestId(), r.contentHash(), r.terminal().institution(),
            r.terminal().terminalId(), insured.psnNo(), r.medicalType(), Bill.of(r.items()), r.useAccount(),
            r.useMutualAid()));
      });
    });
  }

  /**
   * Settle, Cancel, Refund, Reverse and GetTransaction: a registered terminal, then the ledger.
   * The command must name the terminal's institution.
   */
  public CompletableFuture<Result> submit(Terminal terminal, Command command) {
    return then(checkTerminal(terminal), refused ->
        refused != null ? CompletableFuture.completedFuture(refused) : sequencer.submit(command));
  }

  /**
   * A question about history (usage records, reconciliation, alerts, wallet transfers), answered
   * without the single writer. Read-your-writes: it waits until history has applied every write acknowledged before it
   * was asked (the sequencer's acknowledged sequence number), which is normally already the case.
   */
  public CompletableFuture<Result> history(HistoryQuery query) {
    CompletableFuture<Rejected> known;
    if (query instanceof HistoryQuery.Usage q) {
      known = knownPerson(q.psnNo());
    } else if (query instanceof HistoryQuery.WalletTransfers q) {
      known = knownPerson(q.psnNo());
    } else if (query instanceof HistoryQuery.Reconcile q) {
      known = knownInstitution(q.institution());
    } else if (query instanceof HistoryQuery.ReconcileDetail q) {
      known = knownInstitution(q.institution());
    } else {
      known = CompletableFuture.completedFuture(null);
    }
    if (query instanceof HistoryQuery.WalletTransfers && sequencer.transferChangeDue()) {
      // Wallet transfers change with time as well (the 06:00 return, a sale's expiry giving quota
      // back): when such a change may have come due since the writer's last batch, a tick through
      // the writer first brings it to history, so the list is as of when it was asked. Then every
      // write acknowledged by the tick's reply is awaited. Otherwise nothing is journaled: history
      // already holds every change due by now, and read-your-writes below is enough.
      return known.thenCompose(refused -> refused != null ? CompletableFuture.completedFuture(refused)
          : sequencer.submit(new Command.Tick())
              .thenCompose(ticked -> history.awaitApplied(sequencer.acknowledgedSeq()))
              .thenApplyAsync(caughtUp -> answer(query), historyReaders));
    }
    long seen = sequencer.acknowledgedSeq();
    return known.thenCompose(refused -> refused != null ? CompletableFuture.completedFuture(refused)
        : history.awaitApplied(seen).thenApplyAsync(caughtUp -> answer(query), historyReaders));
  }

  private Result answer(HistoryQuery query) {
    try {
      return history.store().answer(query);
    } catch (IOException e) {
      throw new HistoryUnavailableException("history cannot be read: " + e.getMessage());
    }
  }

  private CompletableFuture<Rejected> knownPerson(String psnNo) {
    return cache.insured(psnNo).thenApply(found -> found.isPresent() ? null
        : new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + psnNo + " is not insured here"));
  }

  private CompletableFuture<Rejected> knownInstitution(String code) {
    return cache.institution(code).thenApply(found -> found.isPresent() ? null
        : new Rejected(Outcome.INSTITUTION_NOT_FOUND, "fixmedins_code " + code + " is not registered"));
  }

  /** Back-office commands: straight to the ledger, their credentials and identity numbers keyed. */
  public CompletableFuture<Result> admin(Command command) {
    return sequencer.submit(keyed(command));
  }

  /** {@code command} with every credential and identity number it holds keyed. */
  private Command keyed(Command command) {
    if (command instanceof Command.Idempotent c) {
      Command inner = keyed(c.command());
      return inner == c.command() ? c : new Command.Idempotent(c.requestId(), c.contentHash(), inner);
    }
    if (command instanceof Command.UpsertInsured c) {
      Insured i = c.insured();
      // During a rotation, the ledger also looks for each credential under every older key in use.
      List<Credential> olderForms = new ArrayList<>();
      for (IdentityKey older : identityKeys.older()) {
        i.credentials().forEach(presented -> olderForms.add(older.credential(presented)));
      }
      return new Command.UpsertInsured(new Insured(i.psnNo(), i.name(), i.insuranceType(), i.status(), i.admdvs(),
          i.credentials().stream().map(identityKey::credential).toList()), olderForms);
    }
    if (command instanceof Command.PayOutToHeirs c) {
      return new Command.PayOutToHeirs(c.requestId(), c.contentHash(), c.psnNo(), c.heirs().stream()
          .map(h -> new Command.Heir(h.name(), identityKey.idNumber(h.idNumber()), h.amountFen())).toList());
    }
    if (command instanceof Command.LoadReference c && c.key() instanceof Credential presented) {
      return new Command.LoadReference(c.kind(), identityKey.credential(presented));
    }
    return command;
  }

  private CompletableFuture<Rejected> checkTerminal(Terminal terminal) {
    CompletableFuture<Optional<Institution>> cached = cache.institution(terminal.institution());
    if (isLoaded(cached)) {
      return CompletableFuture.completedFuture(terminalRefusal(terminal, cached.join()));
    }
    return cached.thenApply(found -> terminalRefusal(terminal, found));
  }

  /** Why the terminal may not submit ({@code found}: its institution, if registered), or null. */
  private static Rejected terminalRefusal(Terminal terminal, Optional<Institution> found) {
    if (found.isEmpty()) {
      return new Rejected(Outcome.INSTITUTION_NOT_FOUND,
          "fixmedins_code " + terminal.institution() + " is not registered");
    }
    Institution inst = found.get();
    if (!inst.terminalIds().contains(terminal.terminalId())) {
      return new Rejected(Outcome.TERMINAL_NOT_REGISTERED,
          "terminal_id " + terminal.terminalId() + " is not registered with " + inst.code());
    }
    return null;
  }

  /**
   * The person who holds a presented credential: under the current key, else under each older key
   * in use, newest first (one more reference look-up each, on a cache miss through the writer). A
   * credential found under an older key is keyed again under the current key, in passing: a
   * journaled command, applied before the owner is returned (once per card and rotation), so that
   * whatever the caller does next finds the card under the current key. Should it fail (the ledger
   * overloaded, say), the owner is still returned and the card's next presentation tries again.
   */
  private CompletableFuture<Optional<String>> owner(Credential presented) {
    Credential current = identityKey.credential(presented);
    CompletableFuture<Optional<String>> found = cache.credentialOwner(current);
    if (identityKeys.older().isEmpty()) {
      return found;
    }
    return found.thenCompose(o -> o.isPresent() ? CompletableFuture.completedFuture(o)
        : olderOwner(presented, current, 0));
  }

  private CompletableFuture<Optional<String>> olderOwner(Credential presented, Credential current, int i) {
    if (i == identityKeys.older().size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Credential older = identityKeys.older().get(i).credential(presented);
    return cache.credentialOwner(older).thenCompose(o -> {
      if (o.isEmpty()) {
        return olderOwner(presented, current, i + 1);
      }
      return sequencer.submit(new Command.RekeyCredential(o.get(), older, current)).handle((r, e) -> {
        if (e != null) {
          log.fine("a credential found under an older identity key was not keyed again now (" + e.getClass()
              .getSimpleName() + "); its next presentation tries again");
        }
        return o;
      });
    });
  }

  /** The patient who owns the presented credential, or a refusal (unknown credential, {@link Impersonated}). */
  private CompletableFuture<Object> resolvePatient(Terminal terminal, Credential credential, String claimedPsnNo) {
    return then(owner(credential), owner -> {
      if (owner.isEmpty()) {
        return CompletableFuture.completedFuture(new Rejected(Outcome.PATIENT_NOT_FOUND,
            "no insured person has this " + credential.type() + " credential"));
      }
      String psnNo = owner.get();
      if (claimedPsnNo != null && !claimedPsnNo.equals(psnNo)) {
        // Masked: the detail is also the alert, which other institutions' reviewers read.
        String detail = "the " + credential.type() + " credential presented does not belong to psn_no "
            + Masking.psnNo(claimedPsnNo);
        long gate = alerts.admit(terminal);
        if (gate < 0) {
          fraud.suppressed(Outcome.IMPERSONATION.name(), terminal.institution());
          return CompletableFuture.completedFuture(
              new Impersonated(new Rejected(Outcome.IMPERSONATION, detail), false, 0, AlertParties.NONE));
        }
        log.warning("impersonation refused at " + terminal.institution() + "/" + SafeText.escape(terminal.terminalId())
            + " operator " + SafeText.escape(terminal.operatorId()) + ": the " + credential.type()
            + " credential presented does not belong to psn_no " + Masking.psnNo(claimedPsnNo));
        fraud.alert(Outcome.IMPERSONATION.name(), terminal.institution(), detail);
        return CompletableFuture.completedFuture(new Impersonated(new Rejected(Outcome.IMPERSONATION, detail), true,
            gate, new AlertParties(Masking.psnNo(claimedPsnNo), Masking.psnNo(psnNo), terminal.terminalId(),
                terminal.operatorId())));
      }
      CompletableFuture<Optional<Insured>> insured = cache.insured(psnNo);
      return isLoaded(insured) ? CompletableFuture.completedFuture(patient(psnNo, insured.join()))
          : insured.thenApply(found -> patient(psnNo, found));
    });
  }

  private static Object patient(String psnNo, Optional<Insured> found) {
    return found.isPresent() ? new Resolved(found.get())
        : new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + psnNo + " is not insured here");
  }

  private record Resolved(Insured insured) {}

  /**
   * An impersonation refused; {@code recorded}: whether it is an alert of its own (its terminal was
   * within its alert rate), and {@code leftOutBefore} alerts of that terminal were not recorded since
   * its last one; {@code parties}: whom its alert names.
   */
  private record Impersonated(Rejected rejected, boolean recorded, long leftOutBefore, AlertParties parties) {}

  /** Records one alert that says how many of the terminal's alerts were left out, if any were. */
  private void summarize(Terminal terminal, Impersonated i) {
    if (i.leftOutBefore() > 0) {
      sequencer.submit(new Command.RecordAlert(SUPPRESSED_KIND, terminal.institution(), "", i.leftOutBefore() + " "
          + Outcome.IMPERSONATION.name() + " alerts from terminal " + terminal.institution() + "/"
          + terminal.terminalId() + " were not recorded one by one (over admission.terminal.alerts.per.minute);"
          + " the attempts were refused"));
    }
  }

  /** The kind of the alert that counts alerts left out over a terminal's alert rate. */
  public static final String SUPPRESSED_KIND = "ALERTS_SUPPRESSED";

  /** Whether {@code f} has its value already: a reference cache hit, the usual case. */
  private static boolean isLoaded(CompletableFuture<?> f) {
    return f.isDone() && !f.isCompletedExceptionally();
  }

  /**
   * {@code f.thenCompose(next)}, with {@code next} run at once, on this thread, when {@code f}
   * already has its value (a cache hit): no continuation is queued. What {@code next} throws
   * completes the result exceptionally, as with {@code thenCompose}.
   */
  private static <T, R> CompletableFuture<R> then(CompletableFuture<T> f,
      Function<? super T, ? extends CompletableFuture<R>> next) {
    if (!isLoaded(f)) {
      return f.thenCompose(next);
    }
    try {
      return next.apply(f.join());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new java.util.concurrent.CompletionException(e));
    }
  }

  /** Loads reference data for the cache through read commands of the sequencer. */
  public static ReferenceCache.Loader loaderFor(java.util.function.Supplier<Sequencer> sequencer) {
    return new ReferenceCache.Loader() {
      @Override
      public CompletableFuture<Optional<Institution>> institution(String code) {
        return load(Command.ReferenceKind.INSTITUTION, code).thenApply(v -> Optional.ofNullable((Institution) v));
      }

      @Override
      public CompletableFuture<Optional<Insured>> insured(String psnNo) {
        return load(Command.ReferenceKind.INSURED, psnNo).thenApply(v -> Optional.ofNullable((Insured) v));
      }

      @Override
      public CompletableFuture<Optional<Insured>> credentialHolder(Credential credential) {
        return load(Command.ReferenceKind.CREDENTIAL_HOLDER, credential).thenApply(v -> Optional.ofNullable((Insured) v));
      }

      private CompletableFuture<Object> load(Command.ReferenceKind kind, Object key) {
        return sequencer.get().submit(new Command.LoadReference(kind, key))
            .thenApply(r -> ((Result.Reference) r).value());
      }
    };
  }
}
