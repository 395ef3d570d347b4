package gongji.server.cache;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import gongji.server.domain.Credential;
import gongji.server.domain.Institution;
import gongji.server.domain.Insured;
import gongji.server.ledger.ReferenceListener;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The read side in front of the ledger: institutions, insured persons and credential owners, held in
 * Caffeine (region policies are read by the ledger itself, which decides with them). With
 * {@link RateBuckets}, the only class that builds Caffeine caches.
 *
 * <p>A miss loads asynchronously from a {@link Loader} (the ledger, through a read command of the
 * sequencer), so no request thread ever blocks. A credential's owner is loaded with their record,
 * which the cache keeps as well: a sale names a card, then asks for its holder's record. The
 * ledger tells the cache of every change as it applies it ({@link ReferenceListener}), and the
 * cache replaces the entry at once; a bounded size
 * and an expiry after write keep it from growing or going stale if a notice were ever missed. "Not
 * found" is cached too (as an empty {@code Optional}) so that unknown cards cost no ledger trip.
 *
 * <p>The cache is a pre-filter: the ledger re-checks everything it decides on.
 */
public final class ReferenceCache implements ReferenceListener {

  /** Where the cache loads from on a miss. Must not block: return a future. */
  public interface Loader {
    CompletableFuture<Optional<Institution>> institution(String code);

    CompletableFuture<Optional<Insured>> insured(String psnNo);

    /** The record of the person who holds {@code credential}, if anyone does. */
    CompletableFuture<Optional<Insured>> credentialHolder(Credential credential);
  }

  /** The bounds of the caches. */
  public record Config(long maximumEntries, Duration expireAfterWrite) {
    public static Config defaults() {
      return new Config(1_000_000, Duration.ofMinutes(10));
    }
  }

  private final AsyncLoadingCache<String, Optional<Institution>> institutions;
  private final AsyncLoadingCache<String, Optional<Insured>> insured;
  private final AsyncLoadingCache<Credential, Optional<String>> owners;

  public ReferenceCache(Loader loader, Config config, Ticker ticker, Executor executor) {
    requireNonNull(loader, "loader");
    institutions = build(config, ticker, executor, loader::institution);
    insured = build(config, ticker, executor, loader::insured);
    owners = build(config, ticker, executor, credential -> loader.credentialHolder(credential).thenApply(holder -> {
      holder.ifPresent(this::learned);
      return holder.map(Insured::psnNo);
    }));
  }

  /**
   * A person's record that came with their credential's owner: kept for the look-up that follows
   * (a sale asks for the patient's record right after the card's owner), so that a card seen for
   * the first time costs one trip through the writer, not two. Only where the cache has nothing for
   * them: a record there already, or a load of it under way, is as new or newer, and a change told
   * by the ledger after this record was read must not be overwritten by it.
   */
  private void learned(Insured holder) {
    insured.asMap().putIfAbsent(holder.psnNo(), CompletableFuture.completedFuture(Optional.of(holder)));
  }

  private static <K, V> AsyncLoadingCache<K, V> build(Config config, Ticker ticker, Executor executor,
      Function<K, CompletableFuture<V>> load) {
    return Caffeine.newBuilder()
        .maximumSize(config.maximumEntries())
        .expireAfterWrite(config.expireAfterWrite())
        .ticker(ticker)
        .executor(executor)
        .recordStats()
        .buildAsync((key, ignored) -> load.apply(key));
  }

  public CompletableFuture<Optional<Institution>> institution(String code) {
    return institutions.get(code);
  }

  public CompletableFuture<Optional<Insured>> insured(String psnNo) {
    return insured.get(psnNo);
  }

  public CompletableFuture<Optional<String>> credentialOwner(Credential credential) {
    return owners.get(credential);
  }

  /** The caches by name, for their meters (size, hits, misses, loads, evictions). */
  public Map<String, AsyncCache<?, ?>> caches() {
    return Map.of("institutions", institutions, "insured", insured, "credential_owners", owners);
  }

  // ---- told by the ledger, on the sequencer thread -------------------------------------------

  @Override
  public void institutionChanged(Institution institution) {
    institutions.put(institution.code(), CompletableFuture.completedFuture(Optional.of(institution)));
  }

  @Override
  public void insuredChanged(Insured before, Insured after) {
    insured.put(after.psnNo(), CompletableFuture.completedFuture(Optional.of(after)));
    if (before != null) {
      owners.synchronous().invalidateAll(before.credentials());
    }
    for (Credential c : after.credentials()) {
      owners.put(c, CompletableFuture.completedFuture(Optional.of(after.psnNo())));
    }
  }
}
