package gongji.server.national;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.Credential;
import gongji.server.gateway.Gateway;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator and the patient: 9001/9002 sign-in and sign-out, 1101 person information with the
 * mutual-aid sources the patient may draw on ({@code gongji_mulaid}, which existing clients ignore).
 */
final class PersonTransactions {
  private final Gateway gateway;
  private final InstantSource clock;
  private final AtomicLong serial = new AtomicLong();

  PersonTransactions(Gateway gateway, InstantSource clock) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Sign-in and sign-out: the terminal must be registered; the sign_no is not required later. */
  CompletableFuture<Reply> signIn(Envelope env, String node, String outNode) {
    JsonNode in = Fields.object(env.input(), node);
    Fields.optional(in, "opter_no", 30);
    String signNo = node.equals("signOut") ? Fields.required(in, "sign_no", 30) : null;
    Terminal terminal = env.terminal();
    return Reply.translate(gateway.submit(terminal, new Command.LoadReference(Command.ReferenceKind.INSTITUTION,
        terminal.institution())), r -> {
          long now = clock.millis();
          ObjectNode out = Json.object();
          ObjectNode b = out.putObject(outNode);
          b.put("sign_time", Times.readable(now));
          b.put("sign_no", signNo != null ? signNo
              : Times.seconds(now) + Times.padded(serial.incrementAndGet(), 16));
          return out;
        });
  }

  CompletableFuture<Reply> personInfo(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    Credential credential = Codes.credential(d, psnNo == null);
    Terminal terminal = env.terminal();
    CompletableFuture<Result> identity = credential != null ? gateway.identify(terminal, credential, psnNo)
        : gateway.submit(terminal, new Command.Identify(psnNo, terminal.institution()));
    return Reply.translate(identity, r -> {
      Result.Identity i = (Result.Identity) r;
      ObjectNode out = Json.object();
      ObjectNode base = out.putObject("baseinfo");
      base.put("psn_no", i.psnNo());
      // The gateway keeps only a keyed hash of an identity number: certno is the one the request
      // presented (an identity card, 02), echoed, never read from what the gateway keeps.
      if (credential != null && credential.type() == gongji.server.domain.CredentialType.ID_CARD) {
        base.put("psn_cert_type", "01");
        base.put("certno", credential.number());
      } else {
        base.putNull("psn_cert_type");
        base.putNull("certno");
      }
      base.put("psn_name", i.nameMasked());
      base.putNull("gend");
      base.putNull("naty");
      base.putNull("brdy");
      base.putNull("age");
      ObjectNode insu = out.putArray("insuinfo").addObject();
      insu.put("balc", Yuan.of(i.hasAccount() ? i.availableFen() : 0));
      insu.put("insutype", Codes.insutype(i.insuranceType()));
      insu.putNull("psn_type");
      insu.put("psn_insu_stas", Codes.insuredStatus(i.status()));
      insu.putNull("psn_insu_date");
      insu.putNull("paus_insu_date");
      insu.put("cvlserv_flag", "0");
      insu.put("insuplc_admdvs", i.admdvs());
      insu.putNull("emp_name");
      out.putArray("idetinfo");
      ObjectNode aid = out.putObject("gongji_mulaid");
      aid.put("has_acct", i.hasAccount());
      aid.put("acct_balc", Yuan.of(i.balanceFen()));
      aid.put("acct_available", Yuan.of(i.availableFen()));
      aid.put("psn_insu_stas_name", i.status().name());
      long total = 0;
      ArrayNode sources = aid.putArray("sources");
      for (Result.AidSource s : i.aidSources()) {
        ObjectNode o = sources.addObject();
        o.put("binding_id", s.bindingId());
        o.put("authorizer_name", s.authorizerMasked());
        o.put("relationship", s.relationship().name());
        o.put("available", Yuan.of(s.availableFen()));
        o.put("wallet_transfer_id", s.walletTransferId());
        total = Math.addExact(total, s.availableFen());
      }
      aid.put("mulaid_available", Yuan.of(total));
      return out;
    });
  }
}
