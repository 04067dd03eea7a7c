// User data for a new server: the service's provisioning key (so the guest executor can reach it) and, when the
// person gave their own user data, that too, as a MIME multi-part message that cloud-init runs part by part.

export function composeUserData(
  provisioningPublicKey: string | undefined,
  own: string | undefined,
): string | undefined {
  if (!provisioningPublicKey) return own;
  const cloudConfig = [
    '#cloud-config',
    'disable_root: false',
    'users:',
    '  - default',
    '  - name: root',
    '    ssh_authorized_keys:',
    `      - ${provisioningPublicKey}`,
  ].join('\n');
  if (!own) return `${cloudConfig}\n`;
  const boundary = 'machine-images-user-data';
  const part = (body: string) => {
    const type = body.startsWith('#cloud-config')
      ? 'text/cloud-config'
      : body.startsWith('#!')
        ? 'text/x-shellscript'
        : 'text/plain';
    return [`--${boundary}`, `Content-Type: ${type}; charset="utf-8"`, '', body].join('\n');
  };
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    'MIME-Version: 1.0',
    '',
    part(cloudConfig),
    part(own),
    `--${boundary}--`,
    '',
  ].join('\n');
}
