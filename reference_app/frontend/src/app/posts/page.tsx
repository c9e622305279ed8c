import { Suspense } from "react";

import { PostList } from "@/components/PostList";

export default function PostsPage() {
  // useSearchParams (the page number) needs a Suspense boundary to be prerendered.
  return (
    <Suspense>
      <PostList />
    </Suspense>
  );
}
