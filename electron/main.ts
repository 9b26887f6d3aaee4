/**
 * The Electron main process — thin on purpose: app lifecycle, the one window, tray and
 * notifications. Everything else is the Electron-free core, started by `startRuntime` with an
 * electron-store backend on the same file the CLI uses. Option objects live in window-options.ts.
 * The gateway is not in this process: it runs in a utilityProcess (gateway-process.ts) that
 * the supervisor restarts when it dies, so gateway load never stalls the window or the tray.
 */
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  session,
  shell,
  Tray,
  utilityProcess,
  type MenuItemConstructorOptions,
} from 'electron';
import path from 'node:path';
import Store from 'electron-store';
import { errorMessage } from './core/errors.js';
import { rotaryHome } from './core/paths.js';
import { createConfBackend, storeBackendOptions, type StoreBackend } from './core/pool/store.js';
import type { Vault } from './core/pool/vault.js';
import { startRuntime, type Runtime } from './core/runtime.js';
import type { AppService } from './core/service/app-service.js';
import { isAllowedExternalUrl } from './core/service/external-links.js';
import { createVaultGate } from './core/service/vault-gate.js';
import { poolView } from './core/service/views.js';
import type { ForecastView } from '../shared/forecast.js';
import { createNotificationPolicy } from './desktop/notifications.js';
import { utilityProcessFork } from './desktop/utility-fork.js';
import { trayMenuModel, type TrayAction, type TrayItem } from './desktop/tray-model.js';
import { createSenderCheck, forwardEvents, registerHandlers } from './ipc.js';
import { TRAY_ICON_DATA_URL } from './tray-icon.js';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolResponse } from './app-protocol.js';
import { appPaths, isNavigationAllowed, mainWindowOptions, withSecurityHeaders } from './window-options.js';

const devServer = process.env.ROTARY_DEV_SERVER_URL; // e.g. http://localhost:5173 (vite dev)
// Bundled to CJS (scripts/build-electron.mjs), so __dirname is dist/electron.
const paths = appPaths(__dirname);
// The built renderer is served from app://rotary/ (app-protocol.ts), never file://.
const pageUrl = devServer ?? APP_PAGE_URL;

let mainWindow: BrowserWindow | undefined;
let tray: Tray | undefined;
let runtime: Runtime | undefined;
let service: AppService | undefined;
const disposers: Array<() => void> = [];

function openStoreBackend(home: string): StoreBackend {
  try {
    // electron-store maps `name` onto conf's `configName` (and defaults it to "config"), so pass both.
    return new Store<Record<string, unknown>>(storeBackendOptions(home));
  } catch {
    // A corrupt file throws in the constructor; the conf backend opens lazily and the store recovers it.
    return createConfBackend(home);
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(paths));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => (mainWindow = undefined));
  void win.loadURL(pageUrl);
  return win;
}

function showWindow(): void {
  if (!mainWindow) mainWindow = createWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function runTrayAction(action: TrayAction): void {
  if (action.type === 'switch') void service?.call('accounts:setActive', { providerID: action.providerID, recordID: action.recordID });
  else if (action.type === 'open') showWindow();
  else if (action.type === 'settings') {
    showWindow();
    service?.command({ command: 'open-settings' });
  } else app.quit();
}

function toMenuTemplate(items: TrayItem[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'label') return { label: item.text, enabled: false };
    if (item.kind === 'submenu') return { label: item.label, submenu: toMenuTemplate(item.items) };
    return {
      label: item.label,
      ...(item.checked !== undefined ? { type: 'checkbox' as const, checked: item.checked } : {}),
      enabled: item.enabled ?? true,
      click: () => runTrayAction(item.action),
    };
  });
}

/** The forecasts the tray shows: read from the history at most every 30 s (pool events come every few seconds under load). */
let trayForecasts: { at: number; view: ForecastView } | undefined;

function refreshTray(): void {
  if (!tray || !runtime) return;
  const now = Date.now();
  const apply = () => {
    if (!tray || !runtime) return;
    const model = trayMenuModel(poolView(runtime.pool, Date.now()).providers, Date.now(), trayForecasts?.view.providers);
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(model.items)));
  };
  apply();
  if (service && (!trayForecasts || now - trayForecasts.at > 30_000)) {
    trayForecasts = { at: now, view: trayForecasts?.view ?? { at: now, providers: [] } };
    void service.call('usage:forecast', undefined).then((res) => {
      if (!res.ok) return;
      trayForecasts = { at: Date.now(), view: res.value as ForecastView };
      apply();
    });
  }
}

function hardenSessions(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withSecurityHeaders(details.responseHeaders) });
  });
  // Only the clipboard write (copy buttons) is granted; camera, notifications from the page, etc. are not.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isNavigationAllowed(url, pageUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isNavigationAllowed(url, pageUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // New windows are never created; allow-listed https links go to the OS browser.
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  const env = process.env;
  const home = rotaryHome(env);
  const warnings: string[] = [];
  // The vault comes first: a locked or missing encrypted vault shows the renderer's unlock
  // screen; the runtime (core, poller, gateway, full service) starts once it is open (`openApp`).
  const gate = createVaultGate({ home, env, warn: (m) => warnings.push(m), shell: 'electron', version: app.getVersion(), open: (vault) => openApp(env, home, vault) });
  const gated = (service = gate.service);

  disposers.push(
    registerHandlers(ipcMain, gated, {
      isTrustedSender: createSenderCheck(devServer ? { devOrigin: devServer } : { pageUrl }, (sender) => sender === mainWindow?.webContents),
    }),
    forwardEvents(gated.events, (name, payload) => mainWindow?.webContents.send(name, payload)),
  );

  const notifications = createNotificationPolicy();
  disposers.push(
    gated.events.on('events:activity', (event) => {
      const n = notifications.notificationFor(event);
      if (n && Notification.isSupported()) new Notification({ title: n.title, body: n.body }).show();
    }),
    gated.events.on('events:pool', () => refreshTray()),
  );
  void gate.ready.then((full) => {
    for (const message of warnings) full.notify({ level: 'warning', code: 'vault', message });
    // A first start that failed (port in use) happened before the window listened; later ones notify themselves.
    const host = runtime?.gatewayHost?.state();
    if (host?.state === 'failed') full.notify({ level: 'error', code: 'gateway', message: host.error });
    refreshTray();
  });

  tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON_DATA_URL));
  tray.on('click', () => showWindow());
  refreshTray();

  mainWindow = createWindow();
  // Opens at once when nobody has to type a passphrase; otherwise the window asks.
  void gate.status();
}

/** Everything that needs the vault: the runtime with its poller, full application service and the gateway process. */
async function openApp(env: NodeJS.ProcessEnv, home: string, vault: Vault): Promise<AppService> {
  runtime = await startRuntime({
    env,
    home,
    backend: openStoreBackend(home),
    vault,
    watch: true,
    poller: { start: true },
    service: {
      shell: 'electron',
      version: app.getVersion(),
      extra: { writeClipboard: (text) => clipboard.writeText(text), openExternal: (url) => shell.openExternal(url) },
    },
    // Its own process (bundled next to main.cjs); a gateway that cannot start (port in use) does not keep the app from opening: the header says why.
    gatewayProcess: { fork: utilityProcessFork(utilityProcess, path.join(__dirname, 'gateway-process.cjs'), gatewayLog), log: gatewayLog },
  });
  return runtime.service!;
}

function gatewayLog(line: string): void {
  console.log(`[gateway] ${line}`);
}

// Every renderer runs in Chromium's sandbox, whatever a window's own options say.
app.enableSandbox();
// Must happen before ready: app:// gets the rights of a secure origin (file:// keeps none, see the fuses).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  // The gateway keeps running in the tray when the window closes (quit from the tray menu).
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    for (const dispose of disposers.splice(0)) dispose();
    const closing = runtime;
    runtime = undefined;
    if (!closing) return;
    // Quit once the runtime is closed: the gateway process flushes its bookkeeping and exits first.
    event.preventDefault();
    void closing.close().finally(() => app.quit());
  });
  void app.whenReady().then(async () => {
    protocol.handle(APP_SCHEME, (request) => appProtocolResponse(paths.rendererDir, request));
    hardenSessions();
    try {
      await start();
    } catch (error) {
      // The store or keychain could not be opened: say why, in a window the user can read.
      const { dialog } = await import('electron');
      dialog.showErrorBox('Rotary could not start', errorMessage(error));
      app.quit();
    }
  });
}
