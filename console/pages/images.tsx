import type { Region } from '../types';

export function ImagesPage({ region }: { region: string; regions: Region[] }) {
  return <h1>Images in {region}</h1>;
}
