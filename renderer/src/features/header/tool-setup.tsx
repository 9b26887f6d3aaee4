/**
 * "Connect a tool" in one click: one button per tool that writes the gateway's address into
 * the tool's own config file, after a preview of the exact change, and "Undo". The core does
 * the work (`setup:*` channels, electron/core/clients/setup.ts); nothing here holds the key.
 */
import { createResource, createSignal, createUniqueId, For, Show } from 'solid-js';
import type { SetupPreview, SetupToolID, SetupToolStatus } from '../../../../shared/ipc';
import { useApi, usePlatform } from '../../lib/api';
import { Button } from '../../ui/button';
import { Spinner } from '../../ui/spinner';
import { notify } from '../../ui/toast';
import { setupStateView } from './tool-setup-state';

export function ToolSetup() {
  const api = useApi();
  const platform = usePlatform();
  const [list, { refetch }] = createResource(async () => {
    const res = await api.setup.list();
    if (!res.ok) throw new Error(res.error.message);
    return res.value;
  });
  const [preview, setPreview] = createSignal<SetupPreview>();
  const [busy, setBusy] = createSignal<SetupToolID>();
  // The panel can be on screen twice (empty state and the header's dialog): ids must differ.
  const titleID = `tool-setup-${createUniqueId()}`;

  async function showPreview(toolID: SetupToolID) {
    setBusy(toolID);
    const res = await api.setup.preview({ toolID });
    setBusy(undefined);
    if (!res.ok) return notify('error', 'Could not prepare the setup', res.error.message);
    setPreview(res.value);
  }

  async function act(toolID: SetupToolID, kind: 'apply' | 'undo') {
    setBusy(toolID);
    const res = kind === 'apply' ? await api.setup.apply({ toolID }) : await api.setup.undo({ toolID });
    setBusy(undefined);
    if (!res.ok) return notify('error', kind === 'apply' ? 'Setup failed' : 'Undo failed', res.error.message);
    setPreview(undefined);
    notify('success', res.value.message);
    await refetch();
  }

  return (
    <section class="flex flex-col gap-2" aria-labelledby={titleID} data-testid="tool-setup">
      <h3 id={titleID} class="text-sm font-medium">
        Set up a tool
      </h3>
      <p class="text-xs text-muted">
        Writes the gateway's address into the tool's own config file: your settings stay, a backup is kept, and the
        key is not written there. “Undo” puts the file back.
        <Show when={platform.shell === 'web' && list()}>
          {' '}
          These buttons change files on <strong>{list()!.host}</strong>, the machine the gateway runs on, not on the
          computer showing this page.
        </Show>
      </p>
      <Show when={!list.loading || list()} fallback={<Spinner label="Reading the tools' settings…" />}>
        <Show when={!list.error} fallback={<p class="text-sm text-danger" role="alert">{String(list.error?.message ?? list.error)}</p>}>
          <ul class="flex flex-col gap-2">
            <For each={list()?.tools ?? []}>
              {(tool) => (
                <ToolRow
                  tool={tool}
                  busy={busy() === tool.toolID}
                  preview={preview()?.toolID === tool.toolID ? preview() : undefined}
                  onSetUp={() => void showPreview(tool.toolID)}
                  onApply={() => void act(tool.toolID, 'apply')}
                  onUndo={() => void act(tool.toolID, 'undo')}
                  onCancel={() => setPreview(undefined)}
                />
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}

interface ToolRowProps {
  tool: SetupToolStatus;
  busy: boolean;
  preview: SetupPreview | undefined;
  onSetUp: () => void;
  onApply: () => void;
  onUndo: () => void;
  onCancel: () => void;
}

function ToolRow(props: ToolRowProps) {
  const view = () => setupStateView(props.tool.state);
  return (
    <li class="flex flex-col gap-2 rounded-md border border-line p-3" data-testid={`setup-${props.tool.toolID}`} aria-label={props.tool.title}>
      <div class="flex flex-wrap items-center justify-between gap-2">
        <div class="flex min-w-0 flex-col">
          <span class="flex items-center gap-2 text-sm font-medium">
            {props.tool.title}
            <span class="inline-flex items-center gap-1 text-xs font-normal text-muted" data-testid="setup-state">
              <span class={`h-2 w-2 rounded-full ${view().dot}`} aria-hidden="true" />
              {view().label}
            </span>
          </span>
          <span class="truncate font-mono text-xs text-muted" title={props.tool.file}>
            {props.tool.file}
          </span>
        </div>
        <div class="flex gap-2">
          <Button size="sm" variant="primary" disabled={props.busy || props.preview !== undefined} onClick={() => props.onSetUp()}>
            {view().action(props.tool.title)}
          </Button>
          <Show when={view().canUndo}>
            <Button size="sm" disabled={props.busy} onClick={() => props.onUndo()}>
              Undo
            </Button>
          </Show>
        </div>
      </div>
      <Show when={props.tool.state === 'changed-by-hand' || props.tool.state === 'unreadable'}>
        <p class="text-xs text-muted">{props.tool.message}</p>
      </Show>
      <Show when={props.preview}>{(p) => <SetupPreviewPanel preview={p()} busy={props.busy} onApply={props.onApply} onCancel={props.onCancel} />}</Show>
    </li>
  );
}

function SetupPreviewPanel(props: { preview: SetupPreview; busy: boolean; onApply: () => void; onCancel: () => void }) {
  return (
    <div class="flex flex-col gap-2" role="region" aria-label={`Preview: ${props.preview.title}`} data-testid="setup-preview">
      <p class="text-xs">
        {props.preview.changed ? (props.preview.exists ? `Changes to ${props.preview.file}:` : `Creates ${props.preview.file}:`) : `${props.preview.file} already has these settings; nothing would change.`}
      </p>
      <Show when={props.preview.changed}>
        <pre tabindex="0" aria-label="The change" data-testid="setup-preview-diff" class="max-h-64 overflow-auto rounded-md border border-line bg-bg p-3 font-mono text-xs leading-relaxed">
          {props.preview.diff}
        </pre>
        <details class="text-xs">
          <summary class="cursor-pointer text-muted">The whole file after the change</summary>
          <pre tabindex="0" aria-label="The whole file" data-testid="setup-preview-file" class="mt-1 max-h-64 overflow-auto rounded-md border border-line bg-bg p-3 font-mono text-xs leading-relaxed">
            {props.preview.after}
          </pre>
        </details>
      </Show>
      <Show when={props.preview.keyInFile}>
        <p class="text-xs font-medium">This file has to hold the gateway key; it is written readable by you only (0600).</p>
      </Show>
      <For each={[...props.preview.notes, ...props.preview.warnings]}>{(line) => <p class="text-xs text-muted">{line}</p>}</For>
      <div class="flex gap-2">
        <Button size="sm" variant="primary" disabled={props.busy || !props.preview.changed} onClick={() => props.onApply()}>
          Apply
        </Button>
        <Button size="sm" variant="ghost" onClick={() => props.onCancel()}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
