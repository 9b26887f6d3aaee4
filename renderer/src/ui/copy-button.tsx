/** Copies a text and says so for a moment ("Copied"). */
import Check from 'lucide-solid/icons/check';
import Copy from 'lucide-solid/icons/copy';
import { createSignal, onCleanup, Show } from 'solid-js';
import { Button, type ButtonSize } from './button';
import { notify } from './toast';

export interface CopyButtonProps {
  /** Returns false (or throws) when the copy failed. */
  copy: () => Promise<boolean>;
  label?: string;
  ariaLabel?: string;
  size?: ButtonSize;
}

export function CopyButton(props: CopyButtonProps) {
  const [copied, setCopied] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => timer && clearTimeout(timer));
  const run = async () => {
    let done = false;
    try {
      done = await props.copy();
    } catch {
      done = false;
    }
    if (!done) return;
    setCopied(true);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => setCopied(false), 1500);
  };
  return (
    <Button size={props.size ?? 'sm'} variant="secondary" aria-label={props.ariaLabel} onClick={run}>
      <Show when={copied()} fallback={<Copy size={14} aria-hidden="true" />}>
        <Check size={14} aria-hidden="true" class="text-ok" />
      </Show>
      <Show when={props.label !== ''}>{copied() ? 'Copied' : (props.label ?? 'Copy')}</Show>
    </Button>
  );
}

/** Plain text to the clipboard, with a toast when the browser refuses. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    notify('error', 'Could not copy', 'The clipboard is not available here; select the text and copy it.');
    return false;
  }
}
