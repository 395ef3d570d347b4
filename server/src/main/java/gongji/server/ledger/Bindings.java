package gongji.server.ledger;

import gongji.server.domain.Relationship;
import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Result.Rejected;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Hashing;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Mutual-aid bindings (家庭共济绑定): who may share their account with whom, asked for, reviewed,
 * dissolved, ended by life events, and the quota on each. The money drawn through a binding is
 * counted on it by {@link Sales} and {@link Wallets}.
 */
final class Bindings {
  private final Registry registry;
  private final Wallets wallets;
  private final Identities identities;
  /** By number (the id is made from it, see {@link BindingState#id}); open addressing, no node per entry. */
  private Long2ObjectHashMap<BindingState> bindings = new Long2ObjectHashMap<>(16, Hashing.DEFAULT_LOAD_FACTOR, false);
  private long nextBinding = 1;

  Bindings(Registry registry, Wallets wallets, Identities identities) {
    this.identities = identities;
    this.registry = registry;
    this.wallets = wallets;
  }

  BindingState binding(String id) {
    long seq = BindingState.seqOf(id);
    return seq < 0 ? null : bindings.get(seq);
  }

  Iterable<BindingState> all() {
    return bindings.values();
  }

  /** The numbers of the bindings kept, ascending (snapshot and audit go in this order). */
  long[] sortedNumbers() {
    long[] seqs = new long[bindings.size()];
    int n = 0;
    for (Long2ObjectHashMap<BindingState>.KeyIterator it = bindings.keySet().iterator(); it.hasNext(); ) {
      seqs[n++] = it.nextLong();
    }
    java.util.Arrays.sort(seqs);
    return seqs;
  }

  /** The binding with this number, or null. */
  BindingState get(long seq) {
    return bindings.get(seq);
  }

  long next() {
    return nextBinding;
  }

  void restoreNext(long next) {
    nextBinding = next;
  }

  /** The binding with this id as a result, or BINDING_NOT_FOUND. */
  Result view(String bindingId) {
    BindingState s = binding(bindingId);
    return s == null ? notFound(bindingId) : s.view();
  }

  private static Rejected notFound(String bindingId) {
    return new Rejected(Outcome.BINDING_NOT_FOUND, "binding_id " + bindingId + " is not known");
  }

  /** A binding the agency verified already (migration, back office): asked for and made active at once. */
  Result create(Command.CreateBinding c) {
    Result r = request(c.authorizerPsnNo(), c.beneficiaryPsnNo(), c.relationship(), c.quotaFen(), "");
    if (r instanceof Result.BindingView v) {
      BindingState b = binding(v.bindingId());
      b.status = BindingStatus.ACTIVE;
      identities.binding(b);
      return b.view();
    }
    return r;
  }

  Result request(Command.RequestBinding c) {
    return request(c.authorizerPsnNo(), c.beneficiaryPsnNo(), c.relationship(), c.quotaFen(), c.evidenceRef());
  }

  private Result request(String authorizerPsnNo, String beneficiaryPsnNo, Relationship relationship, long quotaFen,
      String evidenceRef) {
    PersonState a = registry.person(authorizerPsnNo);
    PersonState b = registry.person(beneficiaryPsnNo);
    if (a == null || b == null) {
      return Registry.patientNotFound(a == null ? authorizerPsnNo : beneficiaryPsnNo);
    }
    Rejected refused = allowed(a, b, relationship, quotaFen);
    if (refused != null) {
      return refused;
    }
    for (BindingState existing = b.firstAsBeneficiary; existing != null; existing = existing.nextOfBeneficiary) {
      if ((existing.status == BindingStatus.ACTIVE || existing.status == BindingStatus.REQUESTED)
          && existing.authorizer == a) {
        return new Rejected(Outcome.BINDING_EXISTS,
            "binding " + existing.id() + " between them is already " + existing.status);
      }
    }
    long seq = nextBinding++;
    BindingState s = new BindingState(seq, a, b, relationship, quotaFen);
    s.evidenceRef = evidenceRef;
    bindings.put(s.seq, s);
    b.addAsBeneficiary(s);
    a.addAsAuthorizer(s);
    identities.binding(s);
    return s.view();
  }

  /** The rules for who may bind whom, checked when a binding is asked for and again when verified. */
  private Rejected allowed(PersonState a, PersonState b, Relationship relationship, long quotaFen) {
    if (a == b) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "a person cannot bind themselves");
    }
    if (!a.insured().hasPersonalAccount() || a.account < 0) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "the authorizer must be employee-insured (has no personal account)");
    }
    if (!a.insured().active() || !b.insured().active()) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "both parties must be insured in normal status");
    }
    if (a.frozen || b.frozen) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "an account of the parties is frozen");
    }
    RegionPolicy policy = registry.policyOf(a);
    if (!policy.allows(relationship)) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED,
          "region " + policy.admdvs() + " allows only spouse, parents and children, not " + relationship);
    }
    if (quotaFen > 0 && !policy.quotaAllowed()) {
      return new Rejected(Outcome.QUOTA_NOT_ALLOWED, "region " + policy.admdvs() + " does not allow a quota");
    }
    return null;
  }

  Result review(Command.ReviewBinding c) {
    BindingState b = binding(c.bindingId());
    if (b == null) {
      return notFound(c.bindingId());
    }
    if (b.status != BindingStatus.REQUESTED) {
      return new Rejected(Outcome.BINDING_STATE_CONFLICT, "binding " + b.id() + " is " + b.status + " (expected: REQUESTED)");
    }
    if (!c.approve()) {
      b.status = BindingStatus.REJECTED;
      identities.binding(b);
      b.endReason = c.note().isEmpty() ? "relationship not verified" : c.note();
      return b.view();
    }
    Rejected refused = allowed(b.authorizer, b.beneficiary, b.relationship, b.quotaFen);
    if (refused != null) {
      return refused;
    }
    b.status = BindingStatus.ACTIVE;
    identities.binding(b);
    return b.view();
  }

  Result dissolve(Command.DissolveBinding c) {
    BindingState b = binding(c.bindingId());
    if (b == null) {
      return notFound(c.bindingId());
    }
    boolean byAuthorizer = b.authorizer.psnNo().equals(c.byPsnNo());
    if (!byAuthorizer && !b.beneficiary.psnNo().equals(c.byPsnNo())) {
      return new Rejected(Outcome.NOT_A_PARTY, "psn_no " + c.byPsnNo() + " is not a party to binding " + b.id());
    }
    if (b.status == BindingStatus.DISSOLVED || b.status == BindingStatus.REJECTED) {
      return b.view();
    }
    end(b, byAuthorizer ? "dissolved by the authorizer" : "dissolved by the beneficiary");
    return b.view();
  }

  /**
   * Ends a binding. Holds already placed through it stay and settle or expire as authorized: the
   * authorization was valid when it was made. Refunds still return money to the authorizer. Wallet
   * quota assigned through it returns to the authorizer, but for what open sales hold (that returns
   * when they are cancelled or expire).
   */
  void end(BindingState b, String reason) {
    if (b.status == BindingStatus.ACTIVE || b.status == BindingStatus.REQUESTED) {
      b.status = BindingStatus.DISSOLVED;
      b.endReason = reason;
      identities.binding(b);
      wallets.closeAllThrough(b, reason);
    }
  }

  Result list(Command.ListBindings c) {
    PersonState p = registry.person(c.psnNo());
    if (p == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    List<Result.BindingView> out = new ArrayList<>();
    if (c.role() != Command.BindingRole.BENEFICIARY) {
      for (BindingState b = p.firstAsAuthorizer; b != null; b = b.nextOfAuthorizer) {
        out.add(b.view());
      }
    }
    if (c.role() != Command.BindingRole.AUTHORIZER) {
      for (BindingState b = p.firstAsBeneficiary; b != null; b = b.nextOfBeneficiary) {
        out.add(b.view());
      }
    }
    return new Result.Bindings(List.copyOf(out));
  }

  Result updateQuota(Command.UpdateBindingQuota c) {
    BindingState b = binding(c.bindingId());
    if (b == null) {
      return notFound(c.bindingId());
    }
    if (!b.authorizer.psnNo().equals(c.byPsnNo())) {
      return new Rejected(Outcome.NOT_A_PARTY, "only the authorizer of binding " + b.id() + " changes its quota");
    }
    if (b.status != BindingStatus.ACTIVE && b.status != BindingStatus.REQUESTED) {
      return new Rejected(Outcome.BINDING_STATE_CONFLICT, "binding " + b.id() + " is " + b.status);
    }
    RegionPolicy policy = registry.policyOf(b.authorizer);
    if (!policy.quotaAllowed()) {
      return new Rejected(Outcome.QUOTA_NOT_ALLOWED, "region " + policy.admdvs() + " does not allow setting or changing a quota");
    }
    if (c.quotaFen() > 0 && c.quotaFen() < b.drawnFen()) {
      return new Rejected(Outcome.QUOTA_BELOW_DRAWN, "quota_fen " + c.quotaFen() + " is below the " + b.drawnFen()
          + " fen already drawn, held or assigned to the wallet through binding " + b.id());
    }
    b.quotaFen = c.quotaFen();
    identities.binding(b);
    return b.view();
  }

  // ---- snapshot section ---------------------------------------------------------------------

  void write(CommandCodec.Output out) {
    // In number order, whatever the map's: the numbers sorted as longs, then each binding looked up
    // (sorting two million objects by a field they point to took most of the snapshot's time).
    // Format 7: the number alone (the id is made from it) and the two persons by their place in
    // registration order, not by person number: no string to make and look up, twice per binding.
    long[] seqs = sortedNumbers();
    out.varint(seqs.length);
    for (long seq : seqs) {
      BindingState b = bindings.get(seq);
      out.varlong(b.seq).varint(b.authorizer.ordinal).varint(b.beneficiary.ordinal)
          .u8(b.relationship.code()).varlong(b.quotaFen).varlong(b.usedFen).varlong(b.heldFen).u8(b.status.code())
          .str(b.evidenceRef).str(b.endReason).varlong(b.premiumFen).varlong(b.walletFen);
    }
  }

  /** The first snapshot format that names a binding's persons by {@link PersonState#ordinal}. */
  static final int SNAPSHOT_FORMAT_BY_ORDINAL = 7;

  void read(ByteBuffer in, int format) {
    int n = LedgerSnapshot.count(in);
    bindings = new Long2ObjectHashMap<>(LedgerSnapshot.capacity(n), Hashing.DEFAULT_LOAD_FACTOR, false);
    long last = 0;
    for (; n > 0; n--) {
      long seq;
      PersonState a;
      PersonState b;
      if (format >= SNAPSHOT_FORMAT_BY_ORDINAL) {
        seq = CommandCodec.varlong(in);
        a = registry.personAt(CommandCodec.varint(in));
        b = registry.personAt(CommandCodec.varint(in));
      } else {
        String id = CommandCodec.str(in);
        seq = CommandCodec.varlong(in);
        String authorizer = CommandCodec.str(in);
        a = LedgerSnapshot.known(registry.person(authorizer), "person", authorizer);
        String beneficiary = CommandCodec.str(in);
        b = LedgerSnapshot.known(registry.person(beneficiary), "person", beneficiary);
        if (seq < 0 || !id.equals(Ledger.id(BindingState.KIND, seq))) {
          throw new IllegalArgumentException("snapshot binding " + id + " does not match its number " + seq);
        }
      }
      // Written in number order: a number out of order (or twice) is damage.
      if (seq <= last) {
        throw new IllegalArgumentException("snapshot binding number " + seq + " after " + last);
      }
      last = seq;
      BindingState s = new BindingState(seq, a, b, Relationship.ofCode(in.get() & 0xff), CommandCodec.varlong(in));
      s.usedFen = CommandCodec.varlong(in);
      s.heldFen = CommandCodec.varlong(in);
      s.status = BindingStatus.ofCode(in.get() & 0xff);
      s.evidenceRef = CommandCodec.str(in);
      s.endReason = CommandCodec.str(in);
      s.premiumFen = CommandCodec.varlong(in);
      s.walletFen = CommandCodec.varlong(in);
      bindings.put(seq, s);
      b.addAsBeneficiary(s);
      a.addAsAuthorizer(s);
    }
  }
}
