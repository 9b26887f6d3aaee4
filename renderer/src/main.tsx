/** Entry: pick the platform (Electron bridge or web transport), apply the theme, mount. */
import { render } from 'solid-js/web';
import { App, MissingKey } from './app';
import { detectPlatform } from './lib/api';
import { applyTheme, watchSystemTheme } from './lib/theme';
import './styles.css';

applyTheme();
watchSystemTheme();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
const platform = detectPlatform();
render(() => (platform ? <App platform={platform} /> : <MissingKey />), root);
