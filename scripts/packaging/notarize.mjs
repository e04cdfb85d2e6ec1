/**
 * electron-builder's afterSign hook: notarises and staples the signed macOS app with
 * Apple's notary service (@electron/notarize, notarytool), with credentials from the
 * environment only (see signing.mjs). Without them it says so loudly and the build
 * goes on un-notarised; other platforms are left alone.
 */
import { notarize } from '@electron/notarize';
import { signingStatus } from './signing.mjs';

export default async function afterSign(context) {
  if (context.electronPlatformName !== 'darwin') return;
  const env = process.env;
  if (!signingStatus(env, 'darwin').notarised) {
    console.warn('  • NOT NOTARISED: no signing certificate or APPLE_* credentials in the environment.');
    return;
  }
  const appPath = `${context.appOutDir}/${context.packager.appInfo.productFilename}.app`;
  const credentials = env.APPLE_API_KEY
    ? { appleApiKey: env.APPLE_API_KEY, appleApiKeyId: env.APPLE_API_KEY_ID, appleApiIssuer: env.APPLE_API_ISSUER }
    : { appleId: env.APPLE_ID, appleIdPassword: env.APPLE_APP_SPECIFIC_PASSWORD, teamId: env.APPLE_TEAM_ID };
  await notarize({ appPath, ...credentials });
  console.log(`  • notarised ${appPath}`);
}
