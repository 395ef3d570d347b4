package gongji.server.ledger;

import gongji.server.domain.Insured;
import gongji.server.domain.Masking;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An insured person as the ledger keeps them: the reference data, the account and what hangs off it.
 *
 * <p>A person read from a snapshot keeps their record as the snapshot wrote it ({@link #image}) until
 * something asks for it ({@link #insured()}): most of a million people are not touched in the first
 * minutes after a restart, and each record not made is four objects fewer (the record, its name and
 * its bytes, its list of credentials) for the collector to copy while the snapshot loads. Their
 * number, area and credentials are read at once: the registry's maps and the policy need them.
 */
final class PersonState extends PolicyCache {
  /** The record; null while only {@link #image} holds it. */
  private Insured insured;
  /**
   * The record as the snapshot encoded it (an {@link Command.UpsertInsured}, type first), checked when
   * read; null once {@link #insured} is made, or for a person registered since the start.
   */
  private byte[] image;
  /** The person number and area code, the same instances as the record's once it is made. */
  private String psnNo;
  private String admdvs;
  /** Where the person stands in registration order ({@link Registry#persons}): how a snapshot names them. */
  int ordinal = -1;
  /** The index of the personal account in {@link Accounts}, or -1 without one. */
  int account = -1;
  boolean frozen;
  /**
   * The first binding on each side, in creation order; each links to the next of the same person
   * ({@link BindingState#nextOfBeneficiary}, {@link BindingState#nextOfAuthorizer}). Bindings change
   * rarely and are read on every sale; linked through themselves, two million of them cost no array
   * per person (two million objects fewer for the collector to copy when a snapshot is loaded).
   */
  BindingState firstAsBeneficiary;
  BindingState firstAsAuthorizer;
  // The lists are empty and shared until something is added (most people have no payouts or
  // wallet transfers): a million people do not carry millions of empty lists.
  List<Result.Payout> payouts = List.of();
  /** Wallet transfers received and assigned, oldest first. */
  List<WalletGrant> grantsIn = List.of();
  List<WalletGrant> grantsOut = List.of();
  /** When the wallet was opened; 0 while it is not. */
  long walletOpenedAtMillis;
  /** Today's mutual-aid velocity counters: the local day they count, uses and fen. */
  long aidDay;
  int aidUsesToday;
  long aidFenToday;

  PersonState(Insured insured) {
    setInsured(insured);
  }

  /**
   * A person read from a snapshot: {@code image} is their record's encoding, already checked, whose
   * number and area code are {@code psnNo} and {@code admdvs} (the area the registry's shared instance).
   */
  PersonState(byte[] image, String psnNo, String admdvs) {
    this.image = image;
    this.psnNo = psnNo;
    this.admdvs = admdvs;
  }

  void setInsured(Insured insured) {
    this.insured = insured;
    this.image = null;
    this.psnNo = insured.psnNo();
    this.admdvs = insured.admdvs();
    forgetPolicy(); // the area may have changed
  }

  /** The person's record: made from the snapshot's image the first time it is asked for. */
  Insured insured() {
    Insured i = insured;
    return i != null ? i : fromImage();
  }

  private Insured fromImage() {
    ByteBuffer in = ByteBuffer.wrap(image, 1, image.length - 1);
    insured = CommandCodec.insured(in, psnNo, admdvs);
    image = null;
    return insured;
  }

  /** Writes the record as an {@link Command.UpsertInsured} nested in a snapshot: the image it was read from, if kept. */
  void writeInsured(CommandCodec.Output out, CommandCodec.Output scratch) {
    if (image != null) {
      out.bytes(image);
    } else {
      LedgerSnapshot.nested(out, new Command.UpsertInsured(insured), scratch);
    }
  }

  /**
   * The record made anew from the bytes it is kept as, without keeping it (the person stays bytes);
   * null once the record is made. For the check of a snapshot after a start.
   */
  Insured recordOfImage() {
    return image == null ? null : CommandCodec.insured(ByteBuffer.wrap(image, 1, image.length - 1), null, null);
  }

  /** Whether the record is kept as bytes and they are the first {@code n} of {@code encoded}. */
  boolean imageIs(byte[] encoded, int n) {
    return image != null && java.util.Arrays.equals(image, 0, image.length, encoded, 0, n);
  }

  String psnNo() {
    return psnNo;
  }

  /** The area code of the person's insurance. */
  String admdvs() {
    return admdvs;
  }

  /**
   * How the person is shown on payment legs and offers: masked name and number. Made when asked,
   * not kept: a leg keeps the one it was made with, and a million people carry no masked copies.
   */
  String masked() {
    return Masking.person(insured().name(), psnNo);
  }

  String maskedPsnNo() {
    return Masking.psnNo(psnNo);
  }

  /** Adds a binding in which they are the beneficiary, after those made before it. */
  void addAsBeneficiary(BindingState b) {
    if (firstAsBeneficiary == null) {
      firstAsBeneficiary = b;
      return;
    }
    BindingState last = firstAsBeneficiary;
    while (last.nextOfBeneficiary != null) {
      last = last.nextOfBeneficiary;
    }
    last.nextOfBeneficiary = b;
  }

  /** Adds a binding in which they are the authorizer, after those made before it. */
  void addAsAuthorizer(BindingState b) {
    if (firstAsAuthorizer == null) {
      firstAsAuthorizer = b;
      return;
    }
    BindingState last = firstAsAuthorizer;
    while (last.nextOfAuthorizer != null) {
      last = last.nextOfAuthorizer;
    }
    last.nextOfAuthorizer = b;
  }

  void addPayout(Result.Payout payout) {
    payouts = grown(payouts);
    payouts.add(payout);
  }

  void addGrantIn(WalletGrant g) {
    grantsIn = grown(grantsIn);
    grantsIn.add(g);
  }

  void addGrantOut(WalletGrant g) {
    grantsOut = grown(grantsOut);
    grantsOut.add(g);
  }

  /** Takes back a transfer into their wallet the writer let go of, in number order among the others. */
  void insertGrantIn(WalletGrant g) {
    grantsIn = grown(grantsIn);
    insertBySeq(grantsIn, g);
  }

  /** Takes back a transfer from their account the writer let go of, in number order among the others. */
  void insertGrantOut(WalletGrant g) {
    grantsOut = grown(grantsOut);
    insertBySeq(grantsOut, g);
  }

  /** Inserts {@code g} into a list of transfers in number order, where its number puts it. */
  static void insertBySeq(List<WalletGrant> list, WalletGrant g) {
    int at = list.size();
    while (at > 0 && list.get(at - 1).seq > g.seq) {
      at--;
    }
    list.add(at, g);
  }

  void removeGrantIn(WalletGrant g) {
    grantsIn = without(grantsIn, g);
  }

  void removeGrantOut(WalletGrant g) {
    grantsOut = without(grantsOut, g);
  }

  /** The list without {@code item}: the shared empty one once nothing is left. */
  static <T> List<T> without(List<T> list, T item) {
    list.remove(item);
    return list.isEmpty() ? List.of() : list;
  }

  /** The list itself once it holds something; a new one in place of the shared empty one. */
  static <T> List<T> grown(List<T> list) {
    return list.isEmpty() && !(list instanceof ArrayList) ? new ArrayList<>(2) : list;
  }
}
