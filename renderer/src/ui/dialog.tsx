/** Modal dialog: Kobalte Dialog (focus trap, Escape, aria-modal) styled once. */
// Named parts, not `Dialog.Content`: Kobalte's Dialog and AlertDialog share one root function and
// `Object.assign` onto it, so the namespace's `.Content` can turn into the alert dialog's.
import * as KDialog from '@kobalte/core/dialog';
import X from 'lucide-solid/icons/x';
import { createContext, createEffect, createSignal, onCleanup, Show, type Accessor, type JSX } from 'solid-js';
import { keepFocusInside } from './focus-keeper';

/**
 * The open dialog's content element. A confirmation opened from inside a dialog portals into it:
 * otherwise the outer dialog's focus trap sees focus leave and pulls it back from the confirmation.
 */
export const DialogLayer = createContext<Accessor<HTMLElement | undefined>>();

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  /** Tailwind width class of the panel. */
  size?: 'md' | 'lg';
  /** CSS selector of the element to focus on open (default: Kobalte's first focusable). */
  initialFocus?: string;
  children: JSX.Element;
}

export function Dialog(props: DialogProps) {
  const [content, setContent] = createSignal<HTMLDivElement>();
  // Kobalte's trap catches focus leaving by Tab, not the focused element disappearing (a tab
  // switch, a button that hides itself): then focus would fall to <body>, behind the dialog.
  createEffect(() => {
    const el = content();
    if (el && props.open) onCleanup(keepFocusInside(el));
  });
  return (
    <KDialog.Root open={props.open} onOpenChange={props.onOpenChange} modal>
      <KDialog.Portal>
        <KDialog.Overlay class="fixed inset-0 z-40 bg-black/40" />
        <div class="fixed inset-0 z-50 flex items-start justify-center p-4 sm:pt-[8vh]">
          <KDialog.Content
            ref={setContent}
            onOpenAutoFocus={(e: Event) => {
              const target = props.initialFocus
                ? content()?.querySelector<HTMLElement>(props.initialFocus)
                : null;
              if (target) {
                e.preventDefault();
                target.focus();
              }
            }}
            class={`flex max-h-[84vh] w-full flex-col overflow-hidden rounded-xl border border-line bg-surface text-fg shadow-2xl ${
              props.size === 'lg' ? 'max-w-3xl' : 'max-w-lg'
            }`}
          >
            <div class="flex items-start justify-between gap-4 border-b border-line px-5 py-3">
              <div>
                <KDialog.Title class="text-base font-semibold">{props.title}</KDialog.Title>
                <Show when={props.description}>
                  <KDialog.Description class="mt-0.5 text-xs text-muted">{props.description}</KDialog.Description>
                </Show>
              </div>
              <KDialog.CloseButton
                class="inline-flex h-7 w-7 items-center justify-center rounded-md text-muted hover:bg-surface-2 hover:text-fg"
                aria-label="Close"
              >
                <X size={16} aria-hidden="true" />
              </KDialog.CloseButton>
            </div>
            <div class="min-h-0 flex-1 overflow-auto">
              <DialogLayer.Provider value={content}>{props.children}</DialogLayer.Provider>
            </div>
          </KDialog.Content>
        </div>
      </KDialog.Portal>
    </KDialog.Root>
  );
}
