package gongji.server.ledger;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.IdentityKey;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Result.Rejected;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.collections.Hashing;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * Who and where: insured persons by person number and by credential, institutions, and region
 * policies with their resolution from a district up to the national baseline. It changes when the
 * agency's reference data changes; it moves no money.
 */
final class Registry {
  private final Accounts accounts;
  private final ReferenceListener listener;
  private final Identities identities;
  // Open addressing (Agrona): a million people in java.util.HashMaps carry two million 32-byte nodes.
  // Not final: a snapshot's reader makes them again at the size the image gives (no rehash a million deep).
  private Map<String, PersonState> persons = new Object2ObjectHashMap<>(16, Hashing.DEFAULT_LOAD_FACTOR, false);
  /**
   * Everyone in the order they were first registered: how the snapshot writes them, so that two
   * ledgers built by the same commands write the same bytes (an open-addressing map iterates in an
   * order that depends on its history). Nobody is ever removed: a death ends insurance, not the record.
   */
  private final ArrayList<PersonState> registered = new ArrayList<>();
  private Map<Credential, PersonState> credentials = new Object2ObjectHashMap<>(16, Hashing.DEFAULT_LOAD_FACTOR, false);
  private final Map<String, InstitutionState> institutions = new HashMap<>();
  private final Map<String, RegionPolicy> policies = new HashMap<>();
  /**
   * The policy that governs each area looked up so far (see {@link #policy}), so that the hot path
   * neither cuts strings nor builds defaults; emptied whenever a policy is set. Bounded by the areas
   * of the registered people and institutions (a few thousand in the whole country).
   */
  private final Map<String, RegionPolicy> resolvedPolicies = new HashMap<>();
  /**
   * One instance of each area code the persons name (a few thousand in the country, against a
   * million persons): each person's record points at it instead of holding a copy of its own.
   */
  private final Map<String, String> areas = new HashMap<>();
  /** Moves on whenever a policy is set: what persons and institutions resolved before is stale. */
  private long policyGeneration;

  Registry(Accounts accounts, ReferenceListener listener, Identities identities) {
    this.accounts = accounts;
    this.listener = listener;
    this.identities = identities;
  }

  PersonState person(String psnNo) {
    return persons.get(psnNo);
  }

  /** The same person, naming the one instance of their area code ({@link #areas}). */
  private Insured sharingArea(Insured insured) {
    String area = area(insured.admdvs());
    return area == insured.admdvs() ? insured : new Insured(insured.psnNo(), insured.name(),
        insured.insuranceType(), insured.status(), area, insured.credentials());
  }

  /** The person a snapshot names by their place in registration order ({@link PersonState#ordinal}). */
  PersonState personAt(int ordinal) {
    if (ordinal < 0 || ordinal >= registered.size()) {
      throw new IllegalArgumentException("snapshot refers to person " + ordinal + " of " + registered.size());
    }
    return registered.get(ordinal);
  }

  Collection<PersonState> persons() {
    return registered;
  }

  InstitutionState institution(String code) {
    return institutions.get(code);
  }

  Collection<InstitutionState> institutions() {
    return institutions.values();
  }

  static Rejected patientNotFound(String psnNo) {
    return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + psnNo + " is not insured here");
  }

  static Rejected institutionNotFound(String code) {
    return new Rejected(Outcome.INSTITUTION_NOT_FOUND, "fixmedins_code " + code + " is not registered");
  }

  /**
   * The policy that governs an area: its own if one is set, else that of the pooling region it lies
   * in (the district 620102 lies in the city 620100), else that of its province (620000), else the
   * national baseline. Policies are set per pooling region, while an institution's code carries the
   * area code of its district.
   */
  RegionPolicy policy(String admdvs) {
    RegionPolicy p = resolvedPolicies.get(admdvs);
    if (p == null) {
      p = resolvePolicy(admdvs);
      resolvedPolicies.put(admdvs, p);
    }
    return p;
  }

  /** A region's own policy, or the national defaults where it has none. */
  RegionPolicy ownPolicy(String admdvs) {
    RegionPolicy p = policies.get(admdvs);
    return p != null ? p : RegionPolicy.defaults(admdvs);
  }

  private RegionPolicy resolvePolicy(String admdvs) {
    RegionPolicy p = policies.get(admdvs);
    if (p == null && admdvs.length() == 6) {
      p = policies.get(admdvs.substring(0, 4) + "00");
      if (p == null) {
        p = policies.get(admdvs.substring(0, 2) + "0000");
      }
    }
    return p != null ? p : RegionPolicy.defaults(admdvs);
  }

  /** The policy of a person's region (the one their insurance is in). */
  RegionPolicy policyOf(PersonState p) {
    return resolved(p, p.admdvs()).policy;
  }

  /** The policy of an institution's area (the place of treatment). */
  RegionPolicy policyOf(InstitutionState i) {
    return resolved(i, i.admdvs).policy;
  }

  /** The categories a person's account may pay for, under their region's policy. */
  int payableMaskOf(PersonState p) {
    return resolved(p, p.admdvs()).payableMask;
  }

  private PolicyCache resolved(PolicyCache c, String admdvs) {
    if (c.generation != policyGeneration) {
      c.policy = policy(admdvs);
      c.payableMask = c.policy.payableMask();
      c.province = c.policy.province();
      c.generation = policyGeneration;
    }
    return c;
  }

  /**
   * Whether a relative's funds reach the place of treatment: always within the authorizer's
   * province; across provinces only when both regions enable it.
   */
  boolean reaches(BindingState b, InstitutionState place) {
    PolicyCache from = resolved(b.authorizer, b.authorizer.admdvs());
    PolicyCache at = resolved(place, place.admdvs);
    return from.province.equals(at.province)
        || (from.policy.crossProvinceEnabled() && at.policy.crossProvinceEnabled());
  }

  // ---- changes of reference data ------------------------------------------------------------

  void setPolicy(RegionPolicy policy) {
    policies.put(policy.admdvs(), policy);
    resolvedPolicies.clear();
    policyGeneration++;
    identities.everything();
    listener.policyChanged(policy);
  }

  Result registerInstitution(Institution institution) {
    InstitutionState s = institutions.get(institution.code());
    if (s == null) {
      institutions.put(institution.code(), new InstitutionState(institution, accounts.open()));
    } else {
      s.institution = institution;
    }
    identities.place(institution.code());
    listener.institutionChanged(institution);
    return new Result.Done();
  }

  /**
   * A refusal if one of the credentials belongs to another person, under the current identity key
   * or, in {@code olderForms} (a rotation under way), under an older one; else null.
   */
  Rejected credentialConflict(Insured insured, List<Credential> olderForms) {
    for (Credential cred : insured.credentials()) {
      Rejected r = conflict(insured.psnNo(), cred);
      if (r != null) {
        return r;
      }
    }
    for (Credential cred : olderForms) {
      Rejected r = conflict(insured.psnNo(), cred);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  private Rejected conflict(String psnNo, Credential cred) {
    PersonState owner = credentials.get(cred);
    return owner != null && !owner.psnNo().equals(psnNo)
        ? new Rejected(Outcome.CREDENTIAL_IN_USE, "the " + cred.type() + " credential given belongs to another person")
        : null;
  }

  /**
   * Keys one of a person's credentials again under the current identity key (see
   * {@link Command.RekeyCredential}): the person's record holds {@code current} in place of
   * {@code older}, and the index finds them by it. Changes nothing when the person does not hold
   * {@code older} (keyed again already, or changed since) or another person holds {@code current}.
   */
  Result rekey(Command.RekeyCredential c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null || credentials.get(c.older()) != p) {
      return new Result.Done();
    }
    PersonState holder = credentials.get(c.current());
    if (holder != null && holder != p) {
      return new Result.Done();
    }
    Insured before = p.insured();
    List<Credential> creds = new ArrayList<>(before.credentials().size());
    for (Credential cred : before.credentials()) {
      if (!cred.equals(c.older())) {
        creds.add(cred);
      } else if (holder == null) {
        creds.add(c.current());
      }
    }
    credentials.remove(c.older());
    credentials.put(c.current(), p);
    p.setInsured(new Insured(before.psnNo(), before.name(), before.insuranceType(), before.status(), before.admdvs(),
        creds));
    listener.insuredChanged(before, p.insured());
    return new Result.Done();
  }

  /**
   * Registers or updates a person (their credentials re-indexed; an account opened when they gain
   * one) and returns what they were before, or null if they are new. The caller has checked
   * {@link #credentialConflict}; what the change means for bindings is {@link LifeEvents}'s.
   */
  Insured put(Insured given) {
    Insured insured = sharingArea(given);
    PersonState p = persons.get(insured.psnNo());
    Insured before = null;
    if (p == null) {
      p = new PersonState(insured);
      persons.put(insured.psnNo(), p);
      p.ordinal = registered.size();
      registered.add(p);
    } else {
      before = p.insured();
      for (Credential cred : before.credentials()) {
        credentials.remove(cred);
      }
      p.setInsured(insured);
    }
    for (Credential cred : insured.credentials()) {
      credentials.put(cred, p);
    }
    if (p.account < 0 && insured.hasPersonalAccount()) {
      p.account = accounts.open();
    }
    identities.person(p);
    return before;
  }

  /** How many credentials and heirs' numbers each identity key generation holds (see {@link Ledger#keyedNumbers}). */
  Ledger.KeyedNumbers keyedNumbers() {
    java.util.TreeMap<Integer, Long> creds = new java.util.TreeMap<>();
    java.util.TreeMap<Integer, Long> heirs = new java.util.TreeMap<>();
    for (PersonState p : registered) {
      for (Credential c : p.insured().credentials()) {
        creds.merge(IdentityKey.generationOf(c.number()), 1L, Long::sum);
      }
      for (Result.Payout po : p.payouts) {
        for (Command.Heir h : po.heirs()) {
          heirs.merge(IdentityKey.generationOf(h.idNumber()), 1L, Long::sum);
        }
      }
    }
    return new Ledger.KeyedNumbers(creds, heirs);
  }

  /** Changes a person's insurance record (a death, say) without touching credentials or accounts. */
  void replace(PersonState p, Insured insured) {
    p.setInsured(insured);
    identities.person(p);
  }

  void notifyChanged(Insured before, Insured after) {
    listener.insuredChanged(before, after);
  }

  /** Reference data for the gateway's caches. */
  Object reference(Command.LoadReference c) {
    switch (c.kind()) {
      case INSTITUTION -> {
        InstitutionState s = institutions.get((String) c.key());
        return s == null ? null : s.institution;
      }
      case INSURED -> {
        PersonState p = persons.get((String) c.key());
        return p == null ? null : p.insured();
      }
      case CREDENTIAL_OWNER -> {
        PersonState p = credentials.get((Credential) c.key());
        return p == null ? null : p.psnNo();
      }
      case CREDENTIAL_HOLDER -> {
        PersonState p = credentials.get((Credential) c.key());
        return p == null ? null : p.insured();
      }
      case POLICY -> {
        return policy((String) c.key());
      }
      default -> throw new IllegalArgumentException("kind: " + c.kind());
    }
  }

  // ---- snapshot section ---------------------------------------------------------------------

  /** Policies, institutions and persons (with their account index, counters and payouts). */
  void write(CommandCodec.Output out) {
    CommandCodec.Output scratch = new CommandCodec.Output(256);
    out.varint(policies.size());
    for (RegionPolicy p : policies.values()) {
      LedgerSnapshot.nested(out, new Command.SetRegionPolicy(p), scratch);
    }
    out.varint(institutions.size());
    for (InstitutionState i : institutions.values()) {
      LedgerSnapshot.nested(out, new Command.RegisterInstitution(i.institution), scratch);
      out.varint(i.account);
    }
    out.varint(registered.size());
    for (PersonState p : registered) {
      p.writeInsured(out, scratch);
      out.varlong(p.account + 1L).u8(p.frozen ? 1 : 0).i64(p.aidDay).varint(p.aidUsesToday).varlong(p.aidFenToday)
          .i64(p.walletOpenedAtMillis).varint(p.payouts.size());
      for (Result.Payout po : p.payouts) {
        out.varlong(po.totalFen()).i64(po.atMillis()).varint(po.heirs().size());
        for (Command.Heir h : po.heirs()) {
          out.str(h.name()).str(h.idNumber()).varlong(h.amountFen());
        }
      }
    }
  }

  /**
   * What a restart's check finds wrong with the persons whose record is still kept as the bytes of
   * the image it was read from, or null: those bytes must decode to a record that encodes to the
   * very same bytes (the write-out of the ledger copies them, so it cannot see a record that does
   * not), whose number and area code are the person's, and whose credentials the registry holds
   * for them. As strong as writing out records made at load, as the image was read before records
   * were kept as bytes; every record checked stays bytes.
   */
  String keptRecordProblem() {
    CommandCodec.Output scratch = new CommandCodec.Output(256);
    for (PersonState p : registered) {
      String problem;
      try {
        problem = keptRecordProblem(p, scratch);
      } catch (RuntimeException e) {
        problem = "cannot be made: " + e;
      }
      if (problem != null) {
        return "person " + p.ordinal + " in registration order (" + p.maskedPsnNo() + "), kept as bytes: " + problem;
      }
    }
    return null;
  }

  private String keptRecordProblem(PersonState p, CommandCodec.Output scratch) {
    Insured record = p.recordOfImage();
    if (record == null) {
      return null; // made: the write-out encodes it
    }
    if (!record.psnNo().equals(p.psnNo()) || !record.admdvs().equals(p.admdvs())) {
      return "its record's number or area code is not the one read at load";
    }
    scratch.reset();
    CommandCodec.encode(new Command.UpsertInsured(record), scratch);
    if (!p.imageIs(scratch.array(), scratch.size())) {
      return "its record encodes to other bytes (" + scratch.size() + " bytes)";
    }
    for (Credential c : record.credentials()) {
      if (credentials.get(c) != p) {
        return "a credential of its record (" + c.type() + ") is not registered to them";
      }
    }
    return null;
  }

  /** An account index read from a snapshot: one of the accounts it holds, past the system ones. */
  private int account(long index) {
    if (index < Accounts.PREMIUMS + 1 || index >= accounts.count()) {
      throw new IllegalArgumentException("snapshot names account " + index + " of " + accounts.count());
    }
    return (int) index;
  }

  /**
   * A person as the snapshot holds them (an {@link Command.UpsertInsured} nested in the image), read in
   * place and checked as the command's decoder checks it, but with their record left as those bytes
   * until asked for ({@link PersonState#insured()}): only the number, the area code and the
   * credentials (into {@code creds}) are made now.
   */
  private PersonState readPerson(ByteBuffer in, List<Credential> creds) {
    int n = CommandCodec.varint(in);
    if (n < 1 || n > in.remaining()) {
      throw new IllegalArgumentException("person of " + n + " bytes with " + in.remaining() + " left");
    }
    int start = in.position();
    int limit = in.limit();
    in.limit(start + n); // read within the person's own bytes, as from a slice of them
    int type = in.get() & 0xff;
    if (type != CommandCodec.UPSERT_INSURED_TYPE) {
      throw new IllegalArgumentException("person written as command type " + type);
    }
    String psnNo = CommandCodec.str(in);
    CommandCodec.skipStr(in); // the name
    InsuranceType.ofCode(in.get() & 0xff);
    InsuredStatus.ofCode(in.get() & 0xff);
    String admdvs = area(CommandCodec.str(in));
    creds.clear();
    for (int k = LedgerSnapshot.count(in); k > 0; k--) {
      creds.add(new Credential(CredentialType.ofCode(in.get() & 0xff), CommandCodec.str(in)));
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " bytes left after person " + psnNo);
    }
    in.limit(limit);
    byte[] image = new byte[n];
    in.get(start, image);
    return new PersonState(image, psnNo, admdvs);
  }

  /** The one instance of an area code ({@link #areas}). */
  private String area(String admdvs) {
    String area = areas.putIfAbsent(admdvs, admdvs);
    return area == null ? admdvs : area;
  }

  void read(ByteBuffer in) {
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      RegionPolicy p = ((Command.SetRegionPolicy) LedgerSnapshot.nested(in)).policy();
      policies.put(p.admdvs(), p);
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Institution i = ((Command.RegisterInstitution) LedgerSnapshot.nested(in)).institution();
      institutions.put(i.code(), new InstitutionState(i, account(CommandCodec.varint(in))));
    }
    int people = LedgerSnapshot.count(in);
    persons = new Object2ObjectHashMap<>(LedgerSnapshot.capacity(people), Hashing.DEFAULT_LOAD_FACTOR, false);
    credentials = new Object2ObjectHashMap<>(LedgerSnapshot.capacity(people), Hashing.DEFAULT_LOAD_FACTOR, false);
    registered.ensureCapacity(people);
    List<Credential> creds = new ArrayList<>(4);
    for (int n = people; n > 0; n--) {
      PersonState p = readPerson(in, creds);
      long account = CommandCodec.varlong(in) - 1;
      p.account = account < 0 ? -1 : account(account);
      p.frozen = in.get() != 0;
      p.aidDay = in.getLong();
      p.aidUsesToday = CommandCodec.varint(in);
      p.aidFenToday = CommandCodec.varlong(in);
      p.walletOpenedAtMillis = in.getLong();
      for (int k = CommandCodec.varint(in); k > 0; k--) {
        long total = CommandCodec.varlong(in);
        long at = in.getLong();
        List<Command.Heir> heirs = new ArrayList<>();
        for (int h = CommandCodec.varint(in); h > 0; h--) {
          heirs.add(new Command.Heir(CommandCodec.str(in), CommandCodec.str(in), CommandCodec.varlong(in)));
        }
        p.addPayout(new Result.Payout(p.psnNo(), total, List.copyOf(heirs), at));
      }
      if (persons.put(p.psnNo(), p) != null) {
        throw new IllegalArgumentException("snapshot holds person " + p.psnNo() + " twice");
      }
      p.ordinal = registered.size();
      registered.add(p);
      for (Credential c : creds) {
        credentials.put(c, p);
      }
    }
  }
}
