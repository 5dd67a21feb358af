// A plotly chart that draws only while it is on (or near) the screen.
//
// NiceGUI's own plotly element redraws on every update wherever the chart is. The designer
// updates three or four charts per keystroke; each redraw costs plotly tens of milliseconds of the
// browser's main thread, which delayed the results a person is looking at and, with many tabs
// open on one machine, starved them all. Here an update of a chart that is off-screen (below the
// fold, or on a tab that is not open) only marks it stale; it is drawn with its latest figure
// when it comes into the viewport.
export default {
  template: "<div></div>",
  props: {
    options: Object,
  },
  async mounted() {
    const { Plotly } = await import("nicegui-plotly");
    this.Plotly = Plotly;
    this.stale = true;
    this.near = false;
    this.intersection = new IntersectionObserver(
      (entries) => {
        this.near = entries[entries.length - 1].isIntersecting;
        if (this.near && this.stale) this.draw();
      },
      { rootMargin: "0px" },
    );
    this.reserve();
    this.intersection.observe(this.$el);
    this.$nextTick(() => {
      this.resize = new ResizeObserver(() => {
        if (this.drawn && this.near) this.Plotly.Plots.resize(this.$el);
      });
      this.resize.observe(this.$el);
    });
  },
  unmounted() {
    this.intersection?.disconnect();
    this.resize?.disconnect();
    if (this.drawn) this.Plotly.purge(this.$el);
  },
  methods: {
    reserve() {
      // The figure's height before it is drawn, so the page does not jump when it is.
      const height = this.options?.layout?.height;
      this.$el.style.minHeight = height ? `${height}px` : "";
    },
    update() {
      this.reserve();
      this.stale = true;
      if (this.Plotly && this.near) this.draw();
    },
    draw() {
      const options = this.options || {};
      // Plotly.react diffs against what is drawn and redraws only what changed.
      this.Plotly.react(this.$el, options.data || [], options.layout || {}, options.config || {});
      this.drawn = true;
      this.stale = false;
    },
  },
};
