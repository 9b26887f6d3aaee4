/** Entry: pick the platform (Electron bridge or web transport), apply the theme, mount (behind the vault gate). */
import { render } from 'solid-js/web';
import { App, MissingKey } from './app';
import { VaultGate } from './features/vault/vault-gate';
import { detectPlatform } from './lib/api';
import { applyTheme, watchSystemTheme } from './lib/theme';
import './styles.css';

applyTheme();
watchSystemTheme();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
const platform = detectPlatform();
render(
  () =>
    platform ? (
      <VaultGate api={platform.api}>
        <App platform={platform} />
      </VaultGate>
    ) : (
      <MissingKey />
    ),
  root,
);
