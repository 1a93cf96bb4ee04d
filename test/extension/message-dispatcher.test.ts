// The host's end of the webview protocol without VS Code (extension/webview/message-dispatcher.ts): requests answered
// by id, failures replied by id, unknown methods answered with an error, commands dispatched, malformed messages
// dropped; and a round trip with the webview's end (webviews/ui/host-channel.ts).
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { command, notification, request, type HostToWebviewMessage } from "../../webviews/protocol/ipc";
import { HostChannel } from "../../webviews/ui/host-channel";
import { MessageDispatcher, notificationMessage } from "../../extension/webview/message-dispatcher";

const Add = request<{ a: number; b: number }, number>("test/add");
const Fail = request<Record<string, never>, never>("test/fail");
const Say = command<{ text: string }>("test/say");
const DidTick = notification<{ n: number }>("test/didTick");

function setup() {
  const posted: HostToWebviewMessage[] = [];
  const logged: string[] = [];
  const dispatcher = new MessageDispatcher("test", { post: (m) => posted.push(m), log: (m) => logged.push(m) });
  const said: string[] = [];
  dispatcher.onRequest(Add, async ({ a, b }) => a + b);
  dispatcher.onRequest(Fail, () => {
    throw new Error("no luck");
  });
  dispatcher.onCommand(Say, ({ text }) => void said.push(text));
  return { dispatcher, posted, logged, said };
}

void test("a request is answered with its handler's result, to its id", async () => {
  const { dispatcher, posted } = setup();
  const [first, second] = await Promise.all([
    dispatcher.receive({ id: 7, method: Add.method, params: { a: 2, b: 3 } }),
    dispatcher.receive({ id: 8, method: Add.method, params: { a: 10, b: -1 } }),
  ]);
  assert.deepEqual(first, { kind: "request", method: Add.method, id: 7 });
  assert.deepEqual(second, { kind: "request", method: Add.method, id: 8 });
  assert.deepEqual(
    posted.sort((x, y) => x.responseTo! - y.responseTo!),
    [
      { method: Add.method, responseTo: 7, params: 5 },
      { method: Add.method, responseTo: 8, params: 9 },
    ],
  );
});

void test("a request whose handler throws gets an error reply to its id, and the failure is logged", async () => {
  const { dispatcher, posted, logged } = setup();
  const result = await dispatcher.receive({ id: 3, method: Fail.method, params: {} });
  assert.deepEqual(result, { kind: "request", method: Fail.method, id: 3, error: "no luck" });
  assert.deepEqual(posted, [{ method: Fail.method, responseTo: 3, error: "no luck" }]);
  assert.deepEqual(logged, ["test webview: test/fail failed: no luck"]);
});

void test("a request of an unknown method is answered with an error and logged", async () => {
  const { dispatcher, posted, logged } = setup();
  const result = await dispatcher.receive({ id: 4, method: "test/nope", params: null });
  assert.deepEqual(result, { kind: "unknown", method: "test/nope", id: 4 });
  assert.equal(posted.length, 1);
  assert.equal(posted[0].responseTo, 4);
  assert.match(posted[0].error ?? "", /unknown request test\/nope/);
  assert.equal(posted[0].params, undefined);
  assert.deepEqual(logged, ["test webview: unknown request test/nope"]);
});

void test("a command runs its handler and gets no reply; an unknown or failing command is only logged", async () => {
  const { dispatcher, posted, logged, said } = setup();
  assert.deepEqual(await dispatcher.receive({ method: Say.method, params: { text: "hi" } }), {
    kind: "command",
    method: Say.method,
  });
  assert.deepEqual(said, ["hi"]);
  assert.deepEqual(await dispatcher.receive({ method: "test/other", params: {} }), {
    kind: "unknown",
    method: "test/other",
    id: undefined,
  });
  dispatcher.onCommand(command<unknown>("test/boom"), () => Promise.reject(new Error("boom")));
  assert.deepEqual(await dispatcher.receive({ method: "test/boom", params: {} }), {
    kind: "command",
    method: "test/boom",
    error: "boom",
  });
  assert.deepEqual(posted, []);
  assert.deepEqual(logged, ["test webview: unknown command test/other", "test webview: test/boom failed: boom"]);
});

void test("a request sent as a command (no id) does not run its handler; a command sent with an id gets an error reply", async () => {
  const { dispatcher, posted, said } = setup();
  assert.equal((await dispatcher.receive({ method: Add.method, params: { a: 1, b: 1 } })).kind, "unknown");
  assert.equal((await dispatcher.receive({ id: 5, method: Say.method, params: { text: "x" } })).kind, "unknown");
  assert.deepEqual(said, []);
  assert.equal(posted.length, 1);
  assert.equal(posted[0].responseTo, 5);
  assert.ok(posted[0].error);
});

void test("malformed messages are dropped without a reply or a handler call", async () => {
  const { dispatcher, posted, logged, said } = setup();
  for (const message of [
    undefined,
    null,
    "test/say",
    42,
    [],
    {},
    { method: 1 },
    { params: { text: "x" } },
    { id: "1", method: Add.method, params: { a: 1, b: 2 } },
    { id: 1.5, method: Add.method, params: {} },
  ]) {
    assert.deepEqual(await dispatcher.receive(message), { kind: "ignored" }, JSON.stringify(message));
  }
  assert.deepEqual(posted, []);
  assert.deepEqual(logged, []);
  assert.deepEqual(said, []);
});

void test("a method takes one handler; disposing the registration frees it", async () => {
  const { dispatcher, posted } = setup();
  assert.throws(() => dispatcher.onRequest(Add, () => 0), /test\/add has a handler already/);
  const Echo = request<string, string>("test/echo");
  const registration = dispatcher.onRequest(Echo, (s) => s);
  registration.dispose();
  assert.equal((await dispatcher.receive({ id: 1, method: Echo.method, params: "x" })).kind, "unknown");
  dispatcher.onRequest(Echo, (s) => s.toUpperCase());
  await dispatcher.receive({ id: 2, method: Echo.method, params: "x" });
  assert.deepEqual(posted.at(-1), { method: Echo.method, responseTo: 2, params: "X" });
});

void test("round trip with the webview's HostChannel: results resolve, errors reject, notifications arrive", async () => {
  const listeners: ((event: { data: unknown }) => void)[] = [];
  const target = {
    addEventListener: (_type: string, listener: (event: { data: unknown }) => void) => listeners.push(listener),
  };
  const toWebview = (message: HostToWebviewMessage) =>
    setImmediate(() => listeners.forEach((l) => l({ data: structuredClone(message) })));
  const dispatcher = new MessageDispatcher("test", { post: toWebview, log: () => undefined });
  const api = {
    postMessage: (message: unknown) => void dispatcher.receive(structuredClone(message)),
    getState: () => undefined,
    setState: () => undefined,
  };
  dispatcher.onRequest(Add, ({ a, b }) => a + b);
  dispatcher.onRequest(Fail, () => Promise.reject(new Error("no luck")));
  const channel = new HostChannel(api, target as unknown as Window);
  const ticks: number[] = [];
  channel.onNotification(DidTick, ({ n }) => ticks.push(n));

  assert.equal(await channel.sendRequest(Add, { a: 20, b: 22 }), 42);
  await assert.rejects(channel.sendRequest(Fail, {}), /no luck/);
  await assert.rejects(channel.sendRequest(request<null, null>("test/missing"), null), /unknown request test\/missing/);
  toWebview(notificationMessage(DidTick, { n: 1 }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(ticks, [1]);
});
