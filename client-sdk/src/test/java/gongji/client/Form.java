package gongji.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The two forms of every call of {@link GongjiClient}, so that one test pins down both: the
 * blocking method, and the async one awaited here (its failure rethrown as the exception it
 * completed with).
 */
enum Form {
  BLOCKING {
    @Override
    Identity identify(GongjiClient c, Credential credential) {
      return c.identify(credential);
    }

    @Override
    Sale authorize(GongjiClient c, SaleRequest request) {
      return c.authorize(request);
    }

    @Override
    Sale settle(GongjiClient c, String txn) {
      return c.settle(txn);
    }

    @Override
    Sale settle(GongjiClient c, String txn, long finalTotalFen) {
      return c.settle(txn, finalTotalFen);
    }

    @Override
    Sale cancel(GongjiClient c, String txn) {
      return c.cancel(txn);
    }

    @Override
    Sale refund(GongjiClient c, String txn) {
      return c.refund(txn);
    }

    @Override
    Reversal reverse(GongjiClient c, String requestId) {
      return c.reverse(requestId);
    }

    @Override
    Sale getTransaction(GongjiClient c, String txn) {
      return c.getTransaction(txn);
    }
  },

  ASYNC {
    @Override
    Identity identify(GongjiClient c, Credential credential) {
      return await(c.identifyAsync(credential));
    }

    @Override
    Sale authorize(GongjiClient c, SaleRequest request) {
      return await(c.authorizeAsync(request));
    }

    @Override
    Sale settle(GongjiClient c, String txn) {
      return await(c.settleAsync(txn, RequestOptions.DEFAULTS));
    }

    @Override
    Sale settle(GongjiClient c, String txn, long finalTotalFen) {
      return await(c.settleAsync(txn, finalTotalFen, RequestOptions.DEFAULTS));
    }

    @Override
    Sale cancel(GongjiClient c, String txn) {
      return await(c.cancelAsync(txn, RequestOptions.DEFAULTS));
    }

    @Override
    Sale refund(GongjiClient c, String txn) {
      return await(c.refundAsync(txn, RequestOptions.DEFAULTS));
    }

    @Override
    Reversal reverse(GongjiClient c, String requestId) {
      return await(c.reverseAsync(requestId));
    }

    @Override
    Sale getTransaction(GongjiClient c, String txn) {
      return await(c.getTransactionAsync(txn));
    }
  };

  abstract Identity identify(GongjiClient c, Credential credential);

  abstract Sale authorize(GongjiClient c, SaleRequest request);

  abstract Sale settle(GongjiClient c, String txn);

  abstract Sale settle(GongjiClient c, String txn, long finalTotalFen);

  abstract Sale cancel(GongjiClient c, String txn);

  abstract Sale refund(GongjiClient c, String txn);

  abstract Reversal reverse(GongjiClient c, String requestId);

  abstract Sale getTransaction(GongjiClient c, String txn);

  /** The value of an async call, or the exception it failed with; a test never waits for ever. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError("failed with a checked exception", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (TimeoutException e) {
      throw new AssertionError("the call did not finish within 30 s", e);
    }
  }
}
