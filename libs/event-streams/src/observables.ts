import { Observable } from 'rxjs';
import type { SubscriptionHandle } from './resilient-subscription.ts';

/**
 * An Observable over a subscription: subscribing opens it, unsubscribing closes the client
 * subscription at once (even while it waits for live events). It errors only on what
 * reconnecting cannot fix, and completes if the subscription is closed from elsewhere.
 * No backpressure: for slow, ordered handling use `runConsumer`, which pulls one event at a time.
 */
export function toObservable<M>(open: () => SubscriptionHandle<M>): Observable<M> {
  return new Observable<M>((subscriber) => {
    const handle = open();
    void (async () => {
      try {
        for await (const message of handle.messages) {
          if (subscriber.closed) break;
          subscriber.next(message);
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => {
      void handle.close();
    };
  });
}
