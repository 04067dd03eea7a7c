import type { Capabilities } from '../../domain/capabilities';

// What EC2 supports. It honours RunInstances and CreateVolume client tokens, though the driver
// finds earlier work by its client-token tag all the same (moto ignores tokens).
export const AWS_CAPABILITIES: Capabilities = {
  publicLibrary: true,
  captureFrom: ['running', 'stopped'],
  clientTokens: true,
  blockEncryption: true,
  maxVolumesPerServer: 26,
  ipv6Firewall: true,
  volumeTypes: ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'],
  labels: true,
  deprecation: true,
  disableImage: true,
  imageSharing: {
    account: {
      pattern: '^[0-9]{12}$',
      minLength: 12,
      maxLength: 12,
      hint: 'an AWS account id is 12 digits, such as 123456789012',
    },
  },
  naming: {
    server: {
      pattern: '^[^\\x00-\\x1f\\x7f]+$',
      minLength: 1,
      maxLength: 255,
      hint: 'a server name (its Name tag) is 1 to 255 printable characters',
    },
    image: {
      pattern: "^[A-Za-z0-9()\\[\\] ./\\-'@_]+$",
      minLength: 3,
      maxLength: 128,
      hint: "an image name is 3 to 128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _",
    },
    keypair: {
      pattern: '^[\\x20-\\x7e]+$',
      minLength: 1,
      maxLength: 255,
      hint: 'a key pair name is 1 to 255 printable ASCII characters',
    },
    firewall: {
      // The characters EC2 accepts in a VPC security group name.
      pattern: '^(?!sg-)[A-Za-z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]+$',
      minLength: 1,
      maxLength: 255,
      hint: 'a firewall name is 1 to 255 letters, digits, spaces or ._-:/()#,@[]+=&;{}!$* and must not start with "sg-"',
    },
  },
};
