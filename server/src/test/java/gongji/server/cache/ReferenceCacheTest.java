package gongji.server.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReferenceCacheTest {
  private static final Credential CARD = new Credential(CredentialType.SOCIAL_SECURITY_CARD, "S1");
  private static final Insured ZHANG = person("P1", "张三");

  /** A ledger stand-in: what it holds, the loads asked of it, and the answers held back until released. */
  private static final class Ledger implements ReferenceCache.Loader {
    final Map<Credential, Insured> holders = new java.util.HashMap<>(Map.of(CARD, ZHANG));
    final List<String> loads = new ArrayList<>();
    final List<Runnable> heldBack = new ArrayList<>();
    boolean holdBack;

    @Override
    public CompletableFuture<Optional<Institution>> institution(String code) {
      loads.add("institution " + code);
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletableFuture<Optional<Insured>> insured(String psnNo) {
      loads.add("insured " + psnNo);
      return CompletableFuture.completedFuture(holders.values().stream().filter(i -> i.psnNo().equals(psnNo)).findFirst());
    }

    @Override
    public CompletableFuture<Optional<Insured>> credentialHolder(Credential credential) {
      loads.add("holder " + credential.number());
      Optional<Insured> answer = Optional.ofNullable(holders.get(credential));
      if (!holdBack) {
        return CompletableFuture.completedFuture(answer);
      }
      CompletableFuture<Optional<Insured>> later = new CompletableFuture<>();
      heldBack.add(() -> later.complete(answer));
      return later;
    }
  }

  private static Insured person(String psnNo, String name) {
    return new Insured(psnNo, name, InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL, "620100", List.of(CARD));
  }

  private static ReferenceCache cache(Ledger ledger) {
    return new ReferenceCache(ledger, ReferenceCache.Config.defaults(), Ticker.systemTicker(), Runnable::run);
  }

  @Test
  void aCardSeenFirst_bringsItsHoldersRecord_theRecordNeedsNoTripOfItsOwn() {
    Ledger ledger = new Ledger();
    ReferenceCache cache = cache(ledger);

    assertEquals(Optional.of("P1"), cache.credentialOwner(CARD).join());
    assertSame(ZHANG, cache.insured("P1").join().orElseThrow());

    assertEquals(List.of("holder S1"), ledger.loads);
  }

  @Test
  void anUnknownCard_isCachedAsUnknown_andBringsNoRecord() {
    Ledger ledger = new Ledger();
    ReferenceCache cache = cache(ledger);
    Credential unknown = new Credential(CredentialType.SOCIAL_SECURITY_CARD, "S9");

    assertTrue(cache.credentialOwner(unknown).join().isEmpty());
    assertTrue(cache.credentialOwner(unknown).join().isEmpty());

    assertEquals(List.of("holder S9"), ledger.loads);
  }

  @Test
  void aChangeToldWhileTheCardsLoadWasUnderWay_isNotOverwrittenByTheRecordItBrings() {
    Ledger ledger = new Ledger();
    ledger.holdBack = true;
    ReferenceCache cache = cache(ledger);
    CompletableFuture<Optional<String>> owner = cache.credentialOwner(CARD);

    // The writer answered the load with the record as it was, then applied a change and told the cache.
    Insured renamed = person("P1", "张三丰");
    cache.insuredChanged(ZHANG, renamed);
    ledger.heldBack.forEach(Runnable::run);

    assertEquals(Optional.of("P1"), owner.join());
    assertSame(renamed, cache.insured("P1").join().orElseThrow());
  }

  @Test
  void aRecordAlreadyCached_isKept() {
    Ledger ledger = new Ledger();
    ReferenceCache cache = cache(ledger);
    Insured cached = cache.insured("P1").join().orElseThrow();
    ledger.holders.put(CARD, person("P1", "李四"));

    cache.credentialOwner(CARD).join();

    assertSame(cached, cache.insured("P1").join().orElseThrow());
    assertEquals(List.of("insured P1", "holder S1"), ledger.loads);
  }
}
