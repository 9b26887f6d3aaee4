/**
 * Confirmation before something that cannot be undone. Kobalte AlertDialog gives role
 * "alertdialog"; focus starts on Cancel so Enter alone never destroys anything.
 */
// Named parts on purpose: see dialog.tsx.
import * as KAlertDialog from '@kobalte/core/alert-dialog';
import { createComputed, on, useContext, type JSX } from 'solid-js';
import { Button } from './button';
import { DialogLayer } from './dialog';

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: JSX.Element;
  confirmLabel: string;
  /** Disables the buttons while the action runs. */
  busy?: boolean;
  onConfirm: () => void;
  /** Where focus goes once the dialog has closed; default: back to the element focused when it opened. Return true when it moved focus itself. */
  focusAfterClose?: () => boolean;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  let cancelRef: HTMLButtonElement | undefined;
  // No Kobalte trigger opens it (a row's X does), so Kobalte cannot give focus back: remember the opener.
  let opener: HTMLElement | undefined;
  createComputed(
    on(
      () => props.open,
      (open) => {
        if (open) opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
      },
    ),
  );
  const layer = useContext(DialogLayer);
  return (
    <KAlertDialog.Root open={props.open} onOpenChange={props.onOpenChange} modal>
      <KAlertDialog.Portal mount={layer?.()}>
        <KAlertDialog.Overlay class="fixed inset-0 z-[60] bg-black/50" />
        <div class="fixed inset-0 z-[70] flex items-center justify-center p-4">
          <KAlertDialog.Content
            class="w-full max-w-sm rounded-xl border border-line bg-surface p-5 text-fg shadow-2xl"
            onOpenAutoFocus={(e: Event) => {
              e.preventDefault();
              cancelRef?.focus();
            }}
            onCloseAutoFocus={(e: Event) => {
              // The button that opened it may be gone (the account it removed): focus something that still exists.
              if (props.focusAfterClose?.()) return e.preventDefault();
              if (opener?.isConnected && opener !== document.body) {
                e.preventDefault();
                opener.focus();
              }
            }}
          >
            <KAlertDialog.Title class="text-base font-semibold">{props.title}</KAlertDialog.Title>
            <KAlertDialog.Description class="mt-2 text-sm text-muted">{props.description}</KAlertDialog.Description>
            <div class="mt-5 flex justify-end gap-2">
              <Button ref={cancelRef} variant="secondary" disabled={props.busy} onClick={() => props.onOpenChange(false)}>
                Cancel
              </Button>
              <Button variant="danger" disabled={props.busy} onClick={() => props.onConfirm()}>
                {props.confirmLabel}
              </Button>
            </div>
          </KAlertDialog.Content>
        </div>
      </KAlertDialog.Portal>
    </KAlertDialog.Root>
  );
}
