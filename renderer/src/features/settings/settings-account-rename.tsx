/**
 * An account's name in its row, with a pencil that swaps it for an inline field. Enter saves,
 * Escape cancels without closing the Settings dialog; focus goes back to the pencil either way.
 */
import Pencil from 'lucide-solid/icons/pencil';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import type { ProviderID } from '../../../../shared/domain';
import type { AccountViewDTO } from '../../../../shared/ipc';
import { useAppState } from '../../lib/app-state';
import { Button, buttonClass } from '../../ui/button';
import { staticIcon } from '../../ui/static-icon';
import { TextField } from '../../ui/text-field';

/** The core's limit (`accounts:relabel` in shared/ipc.ts). */
const MAX_LABEL = 120;

/** Why `text` cannot be an account's name, or `undefined` when it can. */
export function accountLabelError(text: string): string | undefined {
  const clean = text.trim();
  if (!clean) return 'Enter a name for this account.';
  if (clean.length > MAX_LABEL) return `Use at most ${MAX_LABEL} characters.`;
  return undefined;
}

/** One per row in Provider Detail: a plain button and a cloned icon (see settings-provider-detail.tsx). */
const pencilIcon = staticIcon(Pencil, { size: 14 });

export function AccountRename(props: { providerID: ProviderID; account: AccountViewDTO; title: string }) {
  const [editing, setEditing] = createSignal(false);
  let renameButton: HTMLButtonElement | undefined;

  function close() {
    setEditing(false);
    // The button is rendered again by now (the swap is synchronous).
    renameButton?.focus();
  }

  return (
    <Show
      when={editing()}
      fallback={
        <>
          <span class="truncate text-sm font-medium">{props.title}</span>
          <button
            ref={renameButton}
            type="button"
            class={buttonClass('ghost', 'icon', 'h-6 w-6 text-muted hover:text-fg')}
            aria-label={`Rename ${props.account.label}`}
            onClick={() => setEditing(true)}
          >
            {pencilIcon()}
          </button>
        </>
      }
    >
      <AccountNameForm providerID={props.providerID} account={props.account} onClose={close} />
    </Show>
  );
}

function AccountNameForm(props: { providerID: ProviderID; account: AccountViewDTO; onClose: () => void }) {
  const app = useAppState();
  // Starts from the label at the moment the field opens; a pushed rename meanwhile does not overwrite typing.
  const [value, setValue] = createSignal(props.account.label);
  const [error, setError] = createSignal<string>();
  const [saving, setSaving] = createSignal(false);
  let form: HTMLFormElement | undefined;
  let input: HTMLInputElement | undefined;

  // Kobalte's Dialog listens for Escape on the document, so the event must stop before it gets
  // there: a native listener here, since Solid's delegated handlers run at the document too.
  // preventDefault as well: Kobalte's layers do not dismiss on an Escape already handled.
  function onKeyDown(e: KeyboardEvent) {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    e.preventDefault();
    if (!saving()) props.onClose();
  }

  onMount(() => {
    form?.addEventListener('keydown', onKeyDown);
    input?.focus();
    input?.select();
  });
  onCleanup(() => form?.removeEventListener('keydown', onKeyDown));

  async function save() {
    if (saving()) return;
    const problem = accountLabelError(value());
    if (problem) {
      setError(problem);
      input?.focus();
      return;
    }
    const label = value().trim();
    if (label === props.account.label) return props.onClose();
    setSaving(true);
    const ok = await app.relabel(props.providerID, props.account.id, label);
    setSaving(false);
    // On failure a toast says why; the field stays open with what was typed.
    if (ok) props.onClose();
    else input?.focus();
  }

  return (
    <form
      ref={form}
      class="flex w-full flex-wrap items-start gap-2"
      data-testid="account-rename"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <TextField
        label="Account name"
        value={value()}
        onChange={(v) => {
          setValue(v);
          setError(undefined);
        }}
        error={error()}
        inputRef={(el) => (input = el)}
        class="min-w-56 flex-1"
      />
      <div class="mt-6 flex gap-1">
        <Button type="submit" size="sm" variant="primary" disabled={saving()}>
          Save
        </Button>
        <Button size="sm" variant="secondary" disabled={saving()} onClick={() => props.onClose()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
