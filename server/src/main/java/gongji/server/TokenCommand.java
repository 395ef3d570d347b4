package gongji.server;

import gongji.server.grpc.BearerTokens;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code gongji token PRINCIPAL}: a new bearer token and the hashed line for {@code auth.tokens.file}. */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = {"Prints a new random bearer token for PRINCIPAL and the line to add to the file named by",
        "auth.tokens.file (--auth-tokens-file): the gateway keeps only the token's hash."},
    footer = {"", "Exit status: 0 printed, 2 bad usage or a malformed PRINCIPAL.",
        "Example: gongji token P62010200017/POS01"})
final class TokenCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PRINCIPAL",
      description = {"who presents the token: a terminal (P62010200017/POS01), an institution (P62010200017),",
          "or the back office (admin:clerk:NAME, admin:auditor:NAME)"})
  String principal;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(BearerTokens.issue(principal));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
