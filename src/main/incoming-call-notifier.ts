/**
 * An OS notification for an incoming call while the agent's window is not focused
 * (or minimised), so a call is not missed behind another application. Clicking it
 * brings the window back. What it says is IT's choice (`desktopPolicy.notificationText`,
 * see desktop-policy.ts): by default "Incoming call" and no name or number. The
 * caller's name is already sanitised by the core.
 */
import { Notification, type BrowserWindow } from 'electron';
import type { AppCore } from '../core/app-core';
import type { DesktopPolicy } from '../core/settings';
import { incomingCallNotification } from './desktop-policy';

/** Watches the core's calls; returns the unsubscribe function. */
export function notifyIncomingCalls(
  core: AppCore,
  getWindow: () => BrowserWindow | undefined,
  policy: () => Pick<DesktopPolicy, 'notificationText'>,
): () => void {
  const announced = new Set<string>();
  return core.onEvent((channel, payload) => {
    if (channel !== 'phone:state' || !Notification.isSupported()) return;
    for (const call of payload.calls) {
      if (call.direction !== 'incoming' || call.state !== 'ringing' || announced.has(call.id)) continue;
      announced.add(call.id);
      const window = getWindow();
      if (!window || (window.isFocused() && !window.isMinimized())) continue;
      const notification = new Notification({ ...incomingCallNotification(call, policy()), urgency: 'critical' });
      notification.on('click', () => {
        if (window.isMinimized()) window.restore();
        window.show();
        window.focus();
      });
      notification.show();
    }
  });
}
