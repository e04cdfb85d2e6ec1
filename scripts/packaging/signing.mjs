/**
 * Which signing material the environment provides. Nothing is ever read from the
 * repository: certificates and passwords come from CI secrets (see
 * .github/workflows/release.yml). A build without them says loudly that it is unsigned.
 *
 * - Windows: CSC_LINK + CSC_KEY_PASSWORD (a .pfx, base64 or path), or Azure Trusted
 *   Signing (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET plus
 *   AZURE_CODE_SIGNING_ENDPOINT, AZURE_CODE_SIGNING_ACCOUNT, AZURE_CERT_PROFILE,
 *   AZURE_PUBLISHER_NAME).
 * - macOS: CSC_LINK + CSC_KEY_PASSWORD (a Developer ID Application .p12), and for
 *   notarisation APPLE_API_KEY + APPLE_API_KEY_ID + APPLE_API_ISSUER, or APPLE_ID +
 *   APPLE_APP_SPECIFIC_PASSWORD + APPLE_TEAM_ID.
 * - Linux: packages are not signed by electron-builder; sign the repository instead.
 */

const has = (env, ...names) => names.every((name) => Boolean(env[name]));

/** What the environment allows for `platform` ('win32' | 'darwin' | 'linux'). */
export function signingStatus(env, platform) {
  if (platform === 'win32') {
    if (has(env, 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CODE_SIGNING_ACCOUNT')) {
      return { signed: true, how: 'Azure Trusted Signing', notarised: false };
    }
    if (has(env, 'CSC_LINK', 'CSC_KEY_PASSWORD') || has(env, 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD')) {
      return { signed: true, how: 'code-signing certificate (CSC_LINK)', notarised: false };
    }
    return { signed: false, how: 'none', notarised: false };
  }
  if (platform === 'darwin') {
    const signed = has(env, 'CSC_LINK', 'CSC_KEY_PASSWORD') || has(env, 'CSC_NAME');
    const notarised =
      has(env, 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER') ||
      has(env, 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID');
    return { signed, how: signed ? 'Developer ID certificate' : 'none', notarised: signed && notarised };
  }
  return { signed: false, how: 'not applicable (sign the apt repository)', notarised: false };
}

/** Azure Trusted Signing options for electron-builder, from the environment, or undefined. */
export function azureSignOptions(env) {
  if (
    !has(env, 'AZURE_CODE_SIGNING_ENDPOINT', 'AZURE_CODE_SIGNING_ACCOUNT', 'AZURE_CERT_PROFILE', 'AZURE_PUBLISHER_NAME')
  ) {
    return undefined;
  }
  return {
    publisherName: env.AZURE_PUBLISHER_NAME,
    endpoint: env.AZURE_CODE_SIGNING_ENDPOINT,
    codeSigningAccountName: env.AZURE_CODE_SIGNING_ACCOUNT,
    certificateProfileName: env.AZURE_CERT_PROFILE,
  };
}

/** Prints the loud banner of an unsigned (or un-notarised) build. */
export function warnIfUnsigned(env, platform, log = console.warn) {
  const status = signingStatus(env, platform);
  if (platform === 'linux') return status;
  if (!status.signed || (platform === 'darwin' && !status.notarised)) {
    const what = status.signed ? 'NOT NOTARISED' : 'UNSIGNED';
    log(
      [
        '',
        '!'.repeat(72),
        `!!  ${what} BUILD for ${platform}: no signing material in the environment.`,
        '!!  Do not deploy these packages: SmartScreen / Gatekeeper will block them,',
        '!!  and updates cannot be verified against a publisher. See README "For IT".',
        '!'.repeat(72),
        '',
      ].join('\n'),
    );
  }
  return status;
}
