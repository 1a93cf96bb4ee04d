// The profile viewer's entry: speaks first (ReadyRequest), then feeds the host's trace chunks, live kernels and
// highlights to the app (app.ts), which hands the bytes to its worker.
import "../ui/base.css";
import "./profile.css";
import {
  DidEndLiveRunNotification,
  DidEndTraceNotification,
  DidHighlightKernelsNotification,
  DidReceiveLiveKernelsNotification,
  DidReceiveTraceChunkNotification,
  ReadyRequest,
  type ProfileViewState,
} from "../protocol/profile";
import { HostChannel } from "../ui/host-channel";
import { ProfileApp } from "./app";

const channel = new HostChannel<ProfileViewState>(acquireVsCodeApi<ProfileViewState>());
const root = document.getElementById("app") ?? document.body.appendChild(document.createElement("div"));
const app = new ProfileApp(channel, root);

channel.onNotification(DidReceiveTraceChunkNotification, (p) => app.chunk(p.slot, p.bytes, p.offset, p.source));
channel.onNotification(DidEndTraceNotification, (p) => app.end(p.slot, p.byteLength, p.error));
channel.onNotification(DidReceiveLiveKernelsNotification, (p) => app.live(p.iteration, p.kernels));
channel.onNotification(DidEndLiveRunNotification, (p) => app.liveEnded(p.ok));
channel.onNotification(DidHighlightKernelsNotification, (ref) => app.highlight(ref));
channel
  .sendRequest(ReadyRequest, {})
  .then((initial) => app.init(initial))
  .catch((error: unknown) => {
    root.textContent = `Could not open the profile: ${error instanceof Error ? error.message : String(error)}`;
    document.body.dataset.ready = "true";
  });

// The standalone harness (test/webviews/profile-harness/) marks its page; only there is the app inspectable.
if (document.documentElement.dataset.harness !== undefined)
  (window as unknown as { edgeProfile: ProfileApp }).edgeProfile = app;
window.addEventListener("pagehide", () => app.saveNow());
