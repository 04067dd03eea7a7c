// The API's answers as the console reads them (the OpenAPI document at /docs/json is the full truth).

export interface Image {
  id: string;
  name: string;
  description?: string;
  platform: string;
  architecture: string;
  state: string;
  visibility: string;
  ownerId: string;
  createdAt: string;
  labelColor?: string;
  tags: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Server {
  id: string;
  name: string;
  state: string;
  imageId: string;
}

export interface Region {
  id: string;
  zones: string[];
}

export interface Product {
  id: string;
  cpu: number;
  memoryGb: number;
  rootDiskGb?: number;
}

export interface LaunchStep {
  name: string;
  state: string;
  startedAt?: string;
  endedAt?: string;
  detail?: string;
}

export interface LaunchView {
  id: string;
  status: string;
  startedAt: string;
  closedAt?: string;
  webUiUrl?: string;
  request?: { name: string; imageId: string; region: string; group: string; billingCode: string };
  steps?: LaunchStep[];
  step?: string;
  waitingFor?: string;
  warnings?: string[];
  error?: { code: string; message: string };
  server?: { id: string; publicIp?: string };
  privateKeyAvailable?: boolean;
  keypairName?: string;
}

export interface LaunchSummary {
  id: string;
  status: string;
  startedAt: string;
  step?: string;
  group?: string;
  billingCode?: string;
  imageId?: string;
}

export const LABEL_COLORS = ['none', 'blue', 'gray', 'green', 'orange', 'purple', 'red', 'yellow', 'white', 'brown'] as const;
