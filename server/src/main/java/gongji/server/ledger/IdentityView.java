package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Insured;
import gongji.server.domain.Masking;
import gongji.server.domain.Relationship;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Identify answered without the writer: a read-only view of what Identify shows, published by the
 * writer after each batch, read on any thread (the transport's event loops).
 *
 * <p>How it works. The view holds, for each person in it, an {@link Entry}: their profile, own
 * balance and available amount, today's mutual-aid counters and limits, and each source that may
 * pay for them (wallet quota, then bindings in the drawing order of their region) with what it can
 * give and where it reaches. After a batch the writer ({@link Identities}) works out again what
 * Identify shows of the persons whose answer the batch may have changed (the owners of the accounts
 * it moved, the beneficiaries of those owners' bindings, the patients of the sales it changed, the
 * beneficiaries of the bindings and wallet transfers it changed) and hands it here in a
 * {@link Publication}: the numbers to write into the entries the view holds, and new entries for
 * persons new to it or whose shape changed. It is published after the batch's force and before its
 * replies leave: so the view never shows what the journal could lose, and a terminal that got a
 * reply and then identifies sees what that reply did. A person enters the view when the writer
 * answers an Identify for them (the first is asked of the writer); the view holds at most
 * {@code maxPersons} (the gateway's setting {@code ledger.identity.view.max.persons},
 * {@link Ledger#boundIdentityView}) and starts again empty when it would hold more, or when a
 * region policy changes (policies decide floors, limits, the drawing order and where funds reach:
 * everything).
 *
 * <p>Why an answer is never torn. A person's numbers are worked out whole on the writer for one
 * batch and written under the entry's sequence lock, so a person's balance and their sources'
 * amounts always come from one batch. An answer reads two entries, the person's and the place's
 * reach, each stamped with the publication that wrote it; a publication writes its entries before
 * it is itself made visible ({@link #published}, volatile), so an answer that first reads the
 * publication and then finds both entries whole and stamped no later than it reads the state
 * exactly as that publication left it. An entry being written, or stamped later, is a publication's
 * under way: the answer reads again (a few times at most, then leaves it to the writer). The writer
 * never waits for a reader: it writes numbers, puts into concurrent maps and writes one volatile
 * reference.
 *
 * <p>Why it is the writer's answer. Identify on the writer first moves the ledger's time to now,
 * which may expire holds or return wallet transfers: when one of those is due by now the view does
 * not answer ({@link #answer} returns null) and the writer does. The day of the mutual-aid
 * allowance is taken from the same clock the writer's batches are given. The rest is
 * {@link Funding#identify}'s arithmetic on the person's entry.
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
      Entry e = p.persons.get(psnNo);
      if (e == null) {
        return null;
      }
      Place at = institution == null ? Place.ANYWHERE : p.places.get(institution);
      if (at == null) {
        return null;
      }
      if (at.stamp <= p.seq) {
        Result r = e.answer(at, LedgerTime.localDay(now), p.seq);
        if (r != null) {
          return r;
        }
      }
    }
    return null;
  }

  /**
   * Makes a publication visible: its entries first (numbers written, new entries put), then itself.
   * Called in batch order, once the batch is forced and before its replies leave, by one thread at
   * a time (the writer, or the forcer with the force pipelined).
   */
  void publish(Publication pub) {
    Published p = published.get();
    if (p.closed) {
      return;
    }
    ConcurrentHashMap<String, Entry> persons = pub.restart ? new ConcurrentHashMap<>() : p.persons;
    ConcurrentHashMap<String, Place> places = pub.restart ? new ConcurrentHashMap<>() : p.places;
    int at = 0;
    for (int i = 0; i < pub.entries.length; i++) {
      Entry e = pub.entries[i];
      at = e.write(pub.seq, pub.numbers, at);
      if (!e.placed) {
        e.placed = true;
        persons.put(e.insured.psnNo(), e); // written first: the map publishes it whole
      }
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

  /** The entry the view holds for {@code psnNo}, or null (for tests). */
  Entry entry(String psnNo) {
    return published.get().persons.get(psnNo);
  }

  /** How many persons the view holds (for tests and figures). */
  public int persons() {
    return published.get().persons.size();
  }

  private record Published(long seq, long nowMillis, long nextDueMillis, ConcurrentHashMap<String, Entry> persons,
      ConcurrentHashMap<String, Place> places, boolean closed) {}

  /**
   * What one batch changed in the view, stamped {@code seq}: the entries whose numbers it writes
   * (those new to the view are put into it once written), their numbers one after another
   * ({@link Entry#write}), and the places (re)resolved; with {@code restart}, the view starts again
   * from these alone. {@code nowMillis}: the ledger time after the batch; {@code nextDueMillis}:
   * when the next hold expires or wallet transfer returns.
   */
  record Publication(long seq, long nowMillis, long nextDueMillis, Entry[] entries, long[] numbers,
      List<String> placeCodes, List<Place> places, boolean restart) {}

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
   * quota through it; {@code relationship}: the authorizer's to the patient; where the authorizer's
   * funds reach from. What it can give is a number of the {@link Entry} that holds it.
   */
  record Source(long bindingSeq, Insured authorizer, Relationship relationship, String walletTransferId,
      String province, boolean crossProvince) {}

  /**
   * What Identify shows of one person: sources paying now, wallet quota first (oldest first), then
   * bindings in the drawing order of the person's region.
   *
   * <p>Why its numbers are written in place. The person, their sources and where these reach (its
   * shape) change seldom; the numbers (balance, available amount, the day's mutual-aid counters,
   * what each source can give) change with every sale. A batch that changes only numbers writes
   * them into the entry the view already holds, so that it makes no object that outlives the batch:
   * an object made for each changed person and put into the view's map (an old one, by then) was
   * what the collector found most of in its young collections, both as what it copies and as old
   * memory pointing at young (docs/PERFORMANCE.md, 2026-12-05 20:04). A change of shape makes a new
   * entry.
   *
   * <p>Why an answer is never torn. The numbers are written under {@code version}, odd while a
   * write is under way (a sequence lock: one writer, the publication's thread; readers never
   * wait): a reader reads the version, then the numbers, then the version again, and uses them only
   * when it was even and did not change. Each write stamps the numbers with its publication, so an
   * answer knows whether they are those of the publication it read.
   */
  static final class Entry {
    private static final VarHandle VERSION;

    static {
      try {
        VERSION = MethodHandles.lookup().findVarHandle(Entry.class, "version", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /**
     * The numbers before the sources': has an account (1 or 0), balance, available, the aid day,
     * its uses and fen, the region's two daily limits.
     */
    static final int SCALARS = 8;

    final Insured insured;
    final Source[] grants;
    final Source[] bindings;

    /** Even when the numbers are whole; written only by the publication's thread. */
    @SuppressWarnings("unused") // read and written through VERSION only
    private long version;
    // The numbers, written in place (plain fields: read only between two reads of version).
    private long stamp;
    private boolean hasAccount;
    private long balanceFen;
    private long availableFen;
    private long aidDay;
    private int aidUsesToday;
    private long aidFenToday;
    private int maxAidUsesPerDay;
    private long maxAidFenPerDay;
    /** What each source can give before today's allowance: grants', then bindings'. */
    private final long[] sourceFen;
    /** Whether a publication put it into the view's map: read and written by the publication's thread only. */
    boolean placed;

    Entry(Insured insured, Source[] grants, Source[] bindings) {
      this.insured = insured;
      this.grants = grants;
      this.bindings = bindings;
      this.sourceFen = new long[grants.length + bindings.length];
    }

    /** How many numbers a write of this entry takes. */
    int width() {
      return SCALARS + sourceFen.length;
    }

    /**
     * Writes the numbers at {@code from} in {@code in} ({@link #width} of them, in the order of
     * {@link #SCALARS} and then the sources'), stamped {@code stamp}; returns where the next
     * entry's start. On the publication's thread only.
     */
    int write(long stamp, long[] in, int from) {
      long v = (long) VERSION.getOpaque(this);
      VERSION.setOpaque(this, v + 1);
      VarHandle.storeStoreFence(); // the odd version is seen before any number
      this.stamp = stamp;
      hasAccount = in[from] != 0;
      balanceFen = in[from + 1];
      availableFen = in[from + 2];
      aidDay = in[from + 3];
      aidUsesToday = (int) in[from + 4];
      aidFenToday = in[from + 5];
      maxAidUsesPerDay = (int) in[from + 6];
      maxAidFenPerDay = in[from + 7];
      System.arraycopy(in, from + SCALARS, sourceFen, 0, sourceFen.length);
      VERSION.setRelease(this, v + 2); // every number is seen before the even version
      return from + width();
    }

    /**
     * {@link Funding#identify} on this entry, at {@code place} on local day {@code today}, with the
     * numbers of publication {@code seq} or an earlier one; null when they are being written or
     * are a later publication's (then read again).
     */
    Result answer(Place place, long today, long seq) {
      long v = (long) VERSION.getAcquire(this);
      if ((v & 1) != 0) {
        return null;
      }
      long stamp = this.stamp;
      boolean hasAccount = this.hasAccount;
      long balanceFen = this.balanceFen;
      long availableFen = this.availableFen;
      long aidDay = this.aidDay;
      int aidUsesToday = this.aidUsesToday;
      long aidFenToday = this.aidFenToday;
      int maxAidUsesPerDay = this.maxAidUsesPerDay;
      long maxAidFenPerDay = this.maxAidFenPerDay;
      long[] fen = sourceFen.length == 0 ? sourceFen : sourceFen.clone();
      VarHandle.acquireFence(); // the numbers are read before the version is read again
      if ((long) VERSION.getOpaque(this) != v || stamp > seq) {
        return null;
      }
      boolean counting = aidDay == today;
      int uses = counting ? aidUsesToday : 0;
      long aidFen = counting ? aidFenToday : 0;
      long allowance = maxAidUsesPerDay > 0 && uses >= maxAidUsesPerDay ? 0
          : maxAidFenPerDay > 0 ? Math.max(0, maxAidFenPerDay - aidFen) : Long.MAX_VALUE;
      List<Result.AidSource> shown = new ArrayList<>(fen.length);
      allowance = show(grants, fen, 0, place, allowance, shown);
      show(bindings, fen, grants.length, place, allowance, shown);
      return new Result.Identity(insured.psnNo(), Masking.name(insured.name()), insured.insuranceType(),
          insured.status(), insured.admdvs(), hasAccount, balanceFen, availableFen, List.copyOf(shown));
    }

    /** Adds the sources that reach {@code place}, each giving at most what the allowance leaves; returns what it leaves. */
    private static long show(Source[] sources, long[] fen, int from, Place place, long allowance,
        List<Result.AidSource> shown) {
      for (int i = 0; i < sources.length; i++) {
        Source s = sources[i];
        if (place.reaches(s)) {
          long give = Math.min(allowance, fen[from + i]);
          allowance -= give;
          shown.add(new Result.AidSource(Ledger.id(BindingState.KIND, s.bindingSeq),
              Masking.person(s.authorizer.name(), s.authorizer.psnNo()), s.relationship, give, s.walletTransferId));
        }
      }
      return allowance;
    }
  }
}
