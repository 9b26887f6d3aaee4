/** Toasts: Kobalte Toast region (aria-live) + `notify()` for features. */
import { Toast, toaster } from '@kobalte/core/toast';
import X from 'lucide-solid/icons/x';
import { Show } from 'solid-js';
import { Portal } from 'solid-js/web';

export type ToastTone = 'info' | 'success' | 'error';

const toneClass: Record<ToastTone, string> = {
  info: 'border-line',
  success: 'border-ok',
  error: 'border-danger',
};

export function notify(tone: ToastTone, title: string, description?: string): void {
  toaster.show((props) => (
    // Not Kobalte's default <li>: it carries role="status", which a list may not contain.
    <Toast
      as="div"
      toastId={props.toastId}
      duration={tone === 'error' ? 8000 : 4000}
      class={`flex w-80 items-start gap-3 rounded-lg border-l-4 border bg-surface p-3 text-fg shadow-lg ${toneClass[tone]}`}
    >
      <div class="min-w-0 flex-1">
        <Toast.Title class="text-sm font-medium">{title}</Toast.Title>
        <Show when={description}>
          <Toast.Description class="mt-0.5 text-xs text-muted break-words">{description}</Toast.Description>
        </Show>
      </div>
      <Toast.CloseButton class="rounded p-0.5 text-muted hover:text-fg" aria-label="Dismiss">
        <X size={14} aria-hidden="true" />
      </Toast.CloseButton>
    </Toast>
  ));
}

export function ToastRegion() {
  return (
    <Portal>
      <Toast.Region aria-label="Notifications" limit={4}>
        <Toast.List as="div" class="fixed bottom-4 right-4 z-[100] flex flex-col gap-2 outline-none" />
      </Toast.Region>
    </Portal>
  );
}
