/** A problem render could express only partially: the spec field and what happened to it. */
export interface RenderWarning {
  path: string;
  message: string;
}
