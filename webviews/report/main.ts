// The run report webview app: asks the host for its state (ReadyRequest), renders it, re-renders on
// DidChangeStateNotification, and keeps the run directories with setState so the panel serializer can restore it.
import "./report.css";
import {
  CompareWithCommand,
  DidChangeStateNotification,
  OpenFileCommand,
  OpenModelGraphCommand,
  OpenProfileCommand,
  ReadyRequest,
  type ReportPersistedState,
  type ReportState,
} from "../protocol/report";
import { HostChannel } from "../ui/host-channel";
import { h, registerToolkit } from "../ui/toolkit";
import { render } from "./render";

registerToolkit();
const channel = new HostChannel<ReportPersistedState>(acquireVsCodeApi<ReportPersistedState>());
const app = document.getElementById("app") ?? document.body.appendChild(h("div", { attrs: { id: "app" } }));

function show(state: ReportState): void {
  channel.api.setState({ runDirs: state.runs.map((r) => r.runDir) });
  app.replaceChildren(
    render(state, {
      openFile: (runDir, path) => channel.sendCommand(OpenFileCommand, { runDir, path }),
      compareWith: (runDir) => channel.sendCommand(CompareWithCommand, { runDir }),
      openModelGraph: (runDir, path) => channel.sendCommand(OpenModelGraphCommand, { runDir, path }),
      openProfile: (runDir, compareRunDir) =>
        channel.sendCommand(OpenProfileCommand, compareRunDir ? { runDir, compareRunDir } : { runDir }),
    }),
  );
  document.body.dataset.ready = "true";
}

channel.onNotification(DidChangeStateNotification, show);
channel
  .sendRequest(ReadyRequest, {})
  .then(show)
  .catch((error: unknown) =>
    app.replaceChildren(
      h("p", {
        class: "load-error",
        text: `Could not load the report: ${error instanceof Error ? error.message : String(error)}`,
      }),
    ),
  );
