/** Tabs: Kobalte Tabs (arrow keys move between tabs, roles tablist/tab/tabpanel). */
import { Tabs as KTabs } from '@kobalte/core/tabs';
import { For, type JSX } from 'solid-js';

export interface TabItem {
  value: string;
  label: JSX.Element;
  content: () => JSX.Element;
  disabled?: boolean;
}

export interface TabsProps {
  value: string;
  onChange: (value: string) => void;
  items: TabItem[];
  ariaLabel: string;
  class?: string;
}

export function Tabs(props: TabsProps) {
  return (
    <KTabs value={props.value} onChange={props.onChange} class={`flex min-h-0 flex-col ${props.class ?? ''}`}>
      <KTabs.List aria-label={props.ariaLabel} class="relative flex gap-1 border-b border-line px-4">
        <For each={props.items}>
          {(item) => (
            <KTabs.Trigger
              value={item.value}
              disabled={item.disabled}
              class="relative -mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted hover:text-fg
                     focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-focus
                     data-[selected]:border-accent data-[selected]:font-medium data-[selected]:text-fg
                     data-[disabled]:opacity-40 cursor-pointer"
            >
              {item.label}
            </KTabs.Trigger>
          )}
        </For>
      </KTabs.List>
      <For each={props.items}>
        {(item) => (
          <KTabs.Content value={item.value} class="min-h-0 flex-1 overflow-auto p-4 focus-visible:outline-none">
            {item.content()}
          </KTabs.Content>
        )}
      </For>
    </KTabs>
  );
}
