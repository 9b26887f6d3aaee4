/** Indeterminate progress with a text for screen readers (role="status"). */
import LoaderCircle from 'lucide-solid/icons/loader-circle';

export function Spinner(props: { label: string }) {
  return (
    <span role="status" class="inline-flex items-center gap-2 text-sm text-muted">
      <LoaderCircle size={16} class="animate-spin" aria-hidden="true" />
      <span>{props.label}</span>
    </span>
  );
}
