/** A request stream of one message, for client-streaming and bidi calls. */
export async function* one<T>(message: T): AsyncIterable<T> {
  yield message;
}
