package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Insured;
import gongji.server.domain.Masking;
import gongji.server.domain.Relationship;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Identify answered without the writer: a read-only view of what Identify shows, published by the
 * writer after each batch, read on any thread (the transport's event loops).
 *
 * <p>How it works. The writer ({@link Identities}) keeps, for each person in the view, an immutable
 * {@link Summary}: their profile, own balance and available amount, today's mutual-aid counters and
 * limits, and each source that may pay for them (wallet quota, then bindings in the drawing order
 * of their region) with what it can give and where it reaches. After a batch it rebuilds the
 * summaries of the persons whose answer the batch may have changed (the owners of the accounts it
 * moved, the beneficiaries of those owners' bindings, the patients of the sales it changed, the
 * beneficiaries of the bindings and wallet transfers it changed) and hands them here in a
 * {@link Publication}, which is published after the batch's force and before its replies leave:
 * so the view never shows what the journal could lose, and a terminal that got a reply and then
 * identifies sees what that reply did. A person enters the view when the writer answers an
 * Identify for them (the first is asked of the writer); the view holds at most
 * {@code maxPersons} (the gateway's setting {@code ledger.identity.view.max.persons},
 * {@link Ledger#boundIdentityView}) and starts again empty when it would hold more, or when a region
 * policy changes (policies decide floors, limits, the drawing order and where funds reach: everything).
 *
 * <p>Why an answer is never torn. A summary is built whole on the writer for one batch, so a
 * person's balance and their sources' amounts always come from one batch. An answer reads two
 * entries, the person's summary and the place's reach, each stamped with the publication that made
 * it; the entries of a publication are put before the publication itself is made visible
 * ({@link #published}, volatile), so an answer that first reads the publication and then finds both
 * entries stamped no later than it reads the state exactly as that publication left it. An entry
 * stamped later was put by a publication under way: the answer reads again (a few times at most,
 * then leaves it to the writer). The writer never waits for a reader: it only puts into concurrent
 * maps and writes one volatile reference.
 *
 * <p>Why it is the writer's answer. Identify on the writer first moves the ledger's time to now,
 * which may expire holds or return wallet transfers: when one of those is due by now the view does
 * not answer ({@link #answer} returns null) and the writer does. The day of the mutual-aid
 * allowance is taken from the same clock the writer's batches are given. The rest is
 * {@link Funding#identify}'s arithmetic on the summary.
 */
public final class IdentityView {
  /** How many times an answer reads again past entries being published before it asks the writer. */
  private static final int READS = 3;

  private final InstantSource clock;
  /** The latest publication; replaced whole, never changed. */
  private final AtomicReference<Published> published;

  /** A view that reads the time of its answers from {@code clock}: the sequencer's. */
  public IdentityView(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock");
    this.published = new AtomicReference<>(
        new Published(0, 0, Long.MIN_VALUE, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), false));
  }

  /**
   * What Identify answers for {@code psnNo} at {@code institution} (null: anywhere), as the writer
   * would now; or null when the view cannot say (the person or place is not in it, a hold or a
   * wallet return is due, the sequencer stopped): then ask the writer.
   */
  public Result answer(String psnNo, String institution) {
    for (int i = 0; i < READS; i++) {
      Published p = published.get();
      if (p.closed) {
        return null;
      }
      long now = Math.max(clock.millis(), p.nowMillis);
      if (now >= p.nextDueMillis) {
        return null;
      }
      Summary s = p.persons.get(psnNo);
      if (s == null) {
        return null;
      }
      Place at = institution == null ? Place.ANYWHERE : p.places.get(institution);
      if (at == null) {
        return null;
      }
      if (s.stamp <= p.seq && at.stamp <= p.seq) {
        return s.answer(at, LedgerTime.localDay(now));
      }
    }
    return null;
  }

  /**
   * Makes a publication visible: its entries first, then itself. Called in batch order, once the
   * batch is forced and before its replies leave, by one thread at a time (the writer, or the
   * forcer with the force pipelined).
   */
  void publish(Publication pub) {
    Published p = published.get();
    if (p.closed) {
      return;
    }
    ConcurrentHashMap<String, Summary> persons = pub.restart ? new ConcurrentHashMap<>() : p.persons;
    ConcurrentHashMap<String, Place> places = pub.restart ? new ConcurrentHashMap<>() : p.places;
    for (Summary s : pub.summaries) {
      persons.put(s.insured.psnNo(), s);
    }
    for (int i = 0; i < pub.placeCodes.size(); i++) {
      places.put(pub.placeCodes.get(i), pub.places.get(i));
    }
    // Not over a close that came meanwhile (the sequencer poisoned on another thread): closed stays closed.
    published.compareAndSet(p, new Published(pub.seq, pub.nowMillis, pub.nextDueMillis, persons, places, false));
  }

  /** Stops answering (the sequencer stopped or was poisoned): every Identify goes to the writer, which refuses it. */
  public void close() {
    published.set(new Published(0, 0, Long.MIN_VALUE, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), true));
  }

  /** How many persons the view holds (for tests and figures). */
  public int persons() {
    return published.get().persons.size();
  }

  private record Published(long seq, long nowMillis, long nextDueMillis, ConcurrentHashMap<String, Summary> persons,
      ConcurrentHashMap<String, Place> places, boolean closed) {}

  /**
   * What one batch changed in the view: the summaries rebuilt and the places (re)resolved, stamped
   * {@code seq}; with {@code restart}, the view starts again from these alone. {@code nowMillis}:
   * the ledger time after the batch; {@code nextDueMillis}: when the next hold expires or wallet
   * transfer returns.
   */
  record Publication(long seq, long nowMillis, long nextDueMillis, List<Summary> summaries, List<String> placeCodes,
      List<Place> places, boolean restart) {}

  /**
   * Where a place of treatment is, as far as where relatives' funds reach: its province and whether
   * its region takes funds across provinces; {@link #ANYWHERE} for no place (or one the ledger does
   * not know: the writer shows every source then).
   */
  record Place(long stamp, String province, boolean crossProvince) {
    static final Place ANYWHERE = new Place(0, null, false);

    /** Whether funds of a source reach here ({@link Registry#reaches}). */
    boolean reaches(Source s) {
      return province == null || province.equals(s.province) || (s.crossProvince && crossProvince);
    }
  }

  /**
   * A source that may pay for the patient: a binding (with {@code walletTransferId} empty) or wallet
   * quota through it; {@code relationship}: the authorizer's to the patient; {@code fen}: what it can
   * give before today's allowance; where the authorizer's funds reach from.
   */
  record Source(long bindingSeq, Insured authorizer, Relationship relationship, long fen, String walletTransferId,
      String province, boolean crossProvince) {}

  /**
   * What Identify shows of one person after the batch {@code stamp}: sources paying now, wallet quota
   * first (oldest first), then bindings in the drawing order of the person's region.
   */
  record Summary(long stamp, Insured insured, boolean hasAccount, long balanceFen, long availableFen, long aidDay,
      int aidUsesToday, long aidFenToday, int maxAidUsesPerDay, long maxAidFenPerDay, Source[] grants,
      Source[] bindings) {

    /** {@link Funding#identify} on this summary, at {@code place} on local day {@code today}. */
    Result answer(Place place, long today) {
      boolean counting = aidDay == today;
      int uses = counting ? aidUsesToday : 0;
      long fen = counting ? aidFenToday : 0;
      long allowance = maxAidUsesPerDay > 0 && uses >= maxAidUsesPerDay ? 0
          : maxAidFenPerDay > 0 ? Math.max(0, maxAidFenPerDay - fen) : Long.MAX_VALUE;
      List<Result.AidSource> shown = new ArrayList<>(grants.length + bindings.length);
      allowance = show(grants, place, allowance, shown);
      show(bindings, place, allowance, shown);
      return new Result.Identity(insured.psnNo(), Masking.name(insured.name()), insured.insuranceType(),
          insured.status(), insured.admdvs(), hasAccount, balanceFen, availableFen, List.copyOf(shown));
    }

    /** Adds the sources that reach {@code place}, each giving at most what the allowance leaves; returns what it leaves. */
    private static long show(Source[] sources, Place place, long allowance, List<Result.AidSource> shown) {
      for (Source s : sources) {
        if (place.reaches(s)) {
          long give = Math.min(allowance, s.fen);
          allowance -= give;
          shown.add(new Result.AidSource(Ledger.id(BindingState.KIND, s.bindingSeq),
              Masking.person(s.authorizer.name(), s.authorizer.psnNo()), s.relationship, give, s.walletTransferId));
        }
      }
      return allowance;
    }
  }
}
