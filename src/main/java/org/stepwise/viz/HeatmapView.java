package org.stepwise.viz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ResourceBundle;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.geometry.Rectangle2D;
import javafx.geometry.VPos;
import javafx.scene.Group;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.paint.ImagePattern;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.transform.Rotate;

/**
 * A matrix drawn as coloured cells, one image pixel per cell scaled up without smoothing, with row and
 * column labels, a colour legend, hatched masked cells, and hover, pin and row-highlight outlines.
 * Use it on the JavaFX application thread.
 *
 * <p>The cell colours live in a {@link PixelBuffer} image of {@code cols × rows} pixels (masked cells
 * transparent). Only the cells visible in the window (inside every clipping ancestor, e.g. a ScrollPane's
 * viewport) are coloured and drawn, onto one canvas with image smoothing off, over a hatch fill that shows
 * through the masked cells; so the drawing cost follows the window's size, not the matrix's, and a wide
 * matrix at a large zoom never needs a texture larger than graphics cards allow. Setting values, scale and
 * range only records them: the range, legend and colours are worked out once, at the next layout pass
 * (or when the range is asked for). A snapshot shows the visible cells.
 */
public final class HeatmapView extends Region {

    /** Smallest and largest cell size in pixels that zooming allows. */
    public static final double MIN_CELL_SIZE = 1;
    public static final double MAX_CELL_SIZE = 64;
    /** Largest number of rows or columns: the image must fit in one texture. */
    public static final int MAX_SIDE = 16384;
    /** Largest side in pixels of the cell canvas when the view is not in a window. */
    static final int MAX_CANVAS = 4096;

    private static final double PADDING = 8;
    private static final double LABEL_GAP = 5;
    private static final double LEGEND_BAR_WIDTH = 180;
    private static final double LEGEND_BAR_HEIGHT = 10;
    private static final double MAX_ROW_LABEL_WIDTH = 160;
    private static final double MAX_COLUMN_LABEL_LENGTH = 110;
    private static final int MAX_LABEL_CHARACTERS = 20;
    private static final int[] NICE_STRIDES = {1, 2, 5};
    private static final double ZOOM_STEP = 1.15;
    /** Font of the row and column labels; set here, not in CSS, because label widths decide the layout. */
    private static final Font LABEL_FONT = Font.font(11);
    /** Measured widths of label texts in {@link #LABEL_FONT}: indices and tokens repeat from matrix to matrix. */
    private static final java.util.Map<String, Double> LABEL_WIDTHS = new java.util.HashMap<>();
    /** The width cache is emptied when it grows past this many texts. */
    private static final int LABEL_WIDTHS_LIMIT = 65_536;

    private final ResourceBundle messages;

    private double[] values = new double[0];
    private int rows;
    private int cols;
    private int maskedCount;
    private ColorScale scale = ColorScale.DIVERGING;
    private boolean autoRange = true;
    private double lo = -1;
    private double hi = 1;
    private List<String> rowLabels;
    private List<String> columnLabels;
    private boolean labelsDirty = true;

    private IntBuffer cellPixels;
    /** Colours of one row of visible cells, written here first and copied to the pixel buffer in one bulk put. */
    private int[] rowColours = new int[0];
    /** True when values, scale or range changed since the range, legend and colours were last worked out. */
    private boolean valuesDirty = true;
    /** Cells whose colours in the pixel buffer match the values now: first row, first column, row count, column count. */
    private final int[] colouredCells = {0, 0, 0, 0};
    private PixelBuffer<IntBuffer> cellBuffer;
    private WritableImage cellImage;
    private final ImagePattern hatch = hatchPattern();

    private final Canvas cellCanvas = new Canvas();
    /** Visible cells drawn on the canvas now: first row, first column, row count, column count. */
    private final int[] drawnCells = {0, 0, 0, 0};
    private final int[] visibleCells = new int[4];
    private boolean cellsDirty = true;
    private final Rectangle rowFrame = new Rectangle();
    private final Rectangle hoverOutline = new Rectangle();
    private final Rectangle pinnedOutline = new Rectangle();
    private final Text title = new Text();
    private final Text emptyText = new Text();
    private final Group rowLabelGroup = new Group();
    private final Group columnLabelGroup = new Group();
    private final List<Text> rowLabelPool = new ArrayList<>();
    private final List<Text> columnLabelPool = new ArrayList<>();
    private int rowLabelStride = 1;
    private int columnLabelStride = 1;
    private boolean columnLabelsVertical;
    private double rowLabelWidth;
    private double columnLabelHeight;

    private final ImageView legendBar = new ImageView();
    private final WritableImage legendImage = new WritableImage((int) LEGEND_BAR_WIDTH, (int) LEGEND_BAR_HEIGHT);
    private final int[] legendPixels = new int[(int) LEGEND_BAR_WIDTH * (int) LEGEND_BAR_HEIGHT];
    private final Rectangle legendFrame = new Rectangle();
    private final Text legendLow = new Text();
    private final Text legendZero = new Text("0");
    private final Text legendHigh = new Text();
    private final Rectangle legendMaskSwatch = new Rectangle(16, LEGEND_BAR_HEIGHT);
    private final Text legendMaskText = new Text();

    private final IntegerProperty highlightedRow = new SimpleIntegerProperty(this, "highlightedRow", -1) {
        @Override
        public void set(int row) {
            if (row < -1) {
                throw new IllegalArgumentException("The highlighted row is −1 (none) or a row index, got " + row);
            }
            super.set(row);
        }
    };
    private final ReadOnlyObjectWrapper<Cell> hoveredCell = new ReadOnlyObjectWrapper<>(this, "hoveredCell");
    private final ObjectProperty<Cell> pinnedCell = new SimpleObjectProperty<>(this, "pinnedCell");
    private final DoubleProperty cellSize = new SimpleDoubleProperty(this, "cellSize", 14) {
        @Override
        public void set(double size) {
            if (!(size >= MIN_CELL_SIZE && size <= MAX_CELL_SIZE)) {
                throw new IllegalArgumentException("The cell size is between " + MIN_CELL_SIZE + " and "
                        + MAX_CELL_SIZE + " pixels, got " + size);
            }
            super.set(size);
        }
    };

    /** A heatmap whose captions come from the message bundle of the default locale. */
    public HeatmapView() {
        this(VizMessages.forDefaultLocale());
    }

    /** A heatmap whose captions ({@code viz.legend.masked}, {@code viz.heatmap.empty}) come from {@code messages}. */
    public HeatmapView(ResourceBundle messages) {
        this.messages = messages;
        getStyleClass().add("viz-heatmap");
        setPickOnBounds(true);

        cellCanvas.setMouseTransparent(true);
        cellCanvas.getGraphicsContext2D().setImageSmoothing(false);
        rowFrame.getStyleClass().add("viz-heatmap-row-frame");
        hoverOutline.getStyleClass().add("viz-heatmap-hover");
        pinnedOutline.getStyleClass().add("viz-heatmap-pinned");
        for (Rectangle outline : List.of(rowFrame, hoverOutline, pinnedOutline)) {
            outline.setFill(Color.TRANSPARENT);
            outline.setVisible(false);
            outline.setMouseTransparent(true);
        }

        title.getStyleClass().add("viz-heatmap-title");
        title.setTextOrigin(VPos.TOP);
        emptyText.getStyleClass().add("viz-caption");
        emptyText.setTextOrigin(VPos.TOP);
        emptyText.setText(messages.getString("viz.heatmap.empty"));

        legendBar.setImage(legendImage);
        legendFrame.getStyleClass().add("viz-legend-frame");
        legendFrame.setFill(Color.TRANSPARENT);
        legendFrame.setWidth(LEGEND_BAR_WIDTH);
        legendFrame.setHeight(LEGEND_BAR_HEIGHT);
        for (Text text : List.of(legendLow, legendZero, legendHigh, legendMaskText)) {
            text.getStyleClass().add("viz-legend-text");
            text.setTextOrigin(VPos.TOP);
        }
        legendMaskSwatch.setFill(hatch);
        legendMaskSwatch.getStyleClass().add("viz-legend-frame");
        legendMaskText.setText(messages.getString("viz.legend.masked"));

        getChildren().addAll(title, emptyText, rowLabelGroup, columnLabelGroup, cellCanvas, rowFrame,
                pinnedOutline, hoverOutline, legendBar, legendFrame, legendLow, legendZero, legendHigh,
                legendMaskSwatch, legendMaskText);

        cellSize.addListener((observable, before, after) -> {
            labelsDirty = true;
            cellsDirty = true;
            requestLayout();
        });
        highlightedRow.addListener((observable, before, after) -> requestLayout());
        localToSceneTransformProperty().addListener((observable, before, after) -> redrawIfScrolled());
        pinnedCell.addListener((observable, before, after) -> requestLayout());
        hoveredCell.addListener((observable, before, after) -> requestLayout());

        addEventHandler(MouseEvent.MOUSE_MOVED, event -> hoveredCell.set(cellAt(event.getX(), event.getY())));
        addEventHandler(MouseEvent.MOUSE_DRAGGED, event -> hoveredCell.set(cellAt(event.getX(), event.getY())));
        addEventHandler(MouseEvent.MOUSE_EXITED, event -> hoveredCell.set(null));
        addEventHandler(MouseEvent.MOUSE_CLICKED, this::togglePin);
        addEventHandler(ScrollEvent.SCROLL, this::zoom);
        invalidateValues();
    }

    @Override
    public String getUserAgentStylesheet() {
        return HeatmapView.class.getResource("viz.css").toExternalForm();
    }

    /**
     * Shows a {@code rows × cols} matrix given row by row; the array is copied (not modified). Non-finite
     * values (−∞ for a causal mask) are masked cells, drawn hatched. Throws IllegalArgumentException when
     * the length is not {@code rows·cols} or a side is negative or above {@link #MAX_SIDE}.
     */
    public void setValues(double[] rowMajor, int rows, int cols) {
        if (rows < 0 || cols < 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new IllegalArgumentException("A heatmap has 0 to " + MAX_SIDE + " rows and columns, got "
                    + rows + " × " + cols);
        }
        if (rowMajor.length != rows * cols) {
            throw new IllegalArgumentException("A " + rows + " × " + cols + " heatmap needs " + rows * cols
                    + " values, got " + rowMajor.length);
        }
        if (values.length < rowMajor.length) {
            values = new double[rowMajor.length];
        }
        System.arraycopy(rowMajor, 0, values, 0, rowMajor.length);
        resize(rows, cols);
        invalidateValues();
    }

    /**
     * Shows columns {@code [firstColumn, firstColumn + cols)} of the first {@code rows} rows of a row-major
     * matrix {@code source} that has {@code sourceColumns} columns, without an intermediate copy (e.g. the
     * weights of one head out of a fused parameter). {@code source}: Not modified; the values are copied.
     * Throws IllegalArgumentException when the block lies outside {@code source} or a side is negative or
     * above {@link #MAX_SIDE}.
     */
    public void setValues(double[] source, int sourceColumns, int firstColumn, int rows, int cols) {
        if (rows < 0 || cols < 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new IllegalArgumentException("A heatmap has 0 to " + MAX_SIDE + " rows and columns, got "
                    + rows + " × " + cols);
        }
        if (firstColumn < 0 || firstColumn + cols > sourceColumns
                || (long) rows * sourceColumns > source.length) {
            throw new IllegalArgumentException("Columns [" + firstColumn + ", " + (firstColumn + cols) + ") of "
                    + rows + " rows do not lie in a matrix of " + source.length + " values with " + sourceColumns
                    + " columns");
        }
        int count = rows * cols;
        if (values.length < count) {
            values = new double[count];
        }
        if (firstColumn == 0 && cols == sourceColumns) {
            System.arraycopy(source, 0, values, 0, count);
        } else {
            for (int row = 0; row < rows; row++) {
                System.arraycopy(source, row * sourceColumns + firstColumn, values, row * cols, cols);
            }
        }
        resize(rows, cols);
        invalidateValues();
    }

    private void resize(int rows, int cols) {
        if (rows != this.rows || cols != this.cols) {
            this.rows = rows;
            this.cols = cols;
            allocateImages();
            labelsDirty = true;
            forgetCellsOutside();
        }
    }

    /** Chooses the colour map and redraws. */
    public void setColorScale(ColorScale scale) {
        if (scale == null) {
            throw new IllegalArgumentException("A heatmap needs a colour scale, got null");
        }
        if (scale != this.scale) {
            this.scale = scale;
            invalidateValues();
        }
    }

    /** Fixes the colour range to {@code [lo, hi]} (both finite, lo ≤ hi) instead of the automatic range. */
    public void setRange(double lo, double hi) {
        ColorScale.checkRange(lo, hi);
        this.autoRange = false;
        this.lo = lo;
        this.hi = hi;
        invalidateValues();
    }

    /**
     * Goes back to the automatic colour range: symmetric around 0 for DIVERGING; for SEQUENTIAL [0, 1]
     * when every value lies in it, else the values' minimum and maximum.
     */
    public void setAutoRange() {
        if (!autoRange) {
            this.autoRange = true;
            invalidateValues();
        }
    }

    /** Lower end of the colour range in use. */
    public double getRangeLow() {
        refreshValues();
        return lo;
    }

    /** Upper end of the colour range in use. */
    public double getRangeHigh() {
        refreshValues();
        return hi;
    }

    /** Labels of the rows (e.g. tokens); null shows row indices, an empty list shows none. Copied. */
    public void setRowLabels(List<String> labels) {
        List<String> copy = labels == null ? null : List.copyOf(labels);
        if (copy == null ? rowLabels == null : copy.equals(rowLabels)) {
            return;
        }
        rowLabels = copy;
        labelsDirty = true;
        requestLayout();
    }

    /** Labels of the columns (dimension indices or tokens); null shows indices, an empty list none. Copied. */
    public void setColumnLabels(List<String> labels) {
        List<String> copy = labels == null ? null : List.copyOf(labels);
        if (copy == null ? columnLabels == null : copy.equals(columnLabels)) {
            return;
        }
        columnLabels = copy;
        labelsDirty = true;
        requestLayout();
    }

    /** The caption above the matrix, e.g. {@code "Q = X·W_Q  [5×16]"}. */
    public void setTitle(String title) {
        this.title.setText(title == null ? "" : title);
        requestLayout();
    }

    /** Row drawn with a frame (e.g. the selected token), or −1 for none. */
    public IntegerProperty highlightedRowProperty() {
        return highlightedRow;
    }

    /** The cell under the mouse, or null when the mouse is outside the cells. */
    public ReadOnlyObjectProperty<Cell> hoveredCellProperty() {
        return hoveredCell.getReadOnlyProperty();
    }

    /** The cell a click pinned (a second click on it unpins it), or null. */
    public ObjectProperty<Cell> pinnedCellProperty() {
        return pinnedCell;
    }

    /** Size of one cell in pixels ({@value #MIN_CELL_SIZE} to {@value #MAX_CELL_SIZE}); ctrl+scroll zooms. */
    public DoubleProperty cellSizeProperty() {
        return cellSize;
    }

    /** Number of rows shown. */
    public int rowCount() {
        return rows;
    }

    /** Number of columns shown. */
    public int columnCount() {
        return cols;
    }

    /** The cell at a point of this view's own coordinates, or null when the point is outside the cells. */
    public Cell cellAt(double x, double y) {
        double size = cellSize.get();
        double column = Math.floor((x - gridX()) / size);
        double row = Math.floor((y - gridY()) / size);
        if (row < 0 || column < 0 || row >= rows || column >= cols) {
            return null;
        }
        return new Cell((int) row, (int) column);
    }

    /** Bounds of a cell in this view's own coordinates. */
    public Bounds cellBounds(Cell cell) {
        double size = cellSize.get();
        return new BoundingBox(gridX() + cell.col() * size, gridY() + cell.row() * size, size, size);
    }

    /** Lays out again (drawing the cells that came into view) after scrolling or any move of an ancestor. */
    private void redrawIfScrolled() {
        if (rows > 0 && cols > 0) {
            requestLayout();
        }
    }

    private void togglePin(MouseEvent event) {
        if (event.getButton() != MouseButton.PRIMARY || !event.isStillSincePress()) {
            return;
        }
        Cell cell = cellAt(event.getX(), event.getY());
        if (cell == null) {
            return;
        }
        pinnedCell.set(cell.equals(pinnedCell.get()) ? null : cell);
    }

    private void zoom(ScrollEvent event) {
        if (!event.isControlDown() && !event.isShortcutDown() || event.getDeltaY() == 0) {
            return;
        }
        double size = cellSize.get();
        double factor = event.getDeltaY() > 0 ? ZOOM_STEP : 1 / ZOOM_STEP;
        double zoomed = Math.round(size * factor);
        if (zoomed == size) {
            zoomed += Math.signum(event.getDeltaY()); // whole pixels per cell keep every cell the same width
        }
        cellSize.set(Math.max(MIN_CELL_SIZE, Math.min(MAX_CELL_SIZE, zoomed)));
        event.consume();
    }

    private void forgetCellsOutside() {
        Cell pinned = pinnedCell.get();
        if (pinned != null && (pinned.row() >= rows || pinned.col() >= cols)) {
            pinnedCell.set(null);
        }
        hoveredCell.set(null);
    }

    private void allocateImages() {
        if (rows == 0 || cols == 0) {
            cellBuffer = null;
            cellImage = null;
            return;
        }
        rowColours = new int[cols];
        cellPixels = ByteBuffer.allocateDirect(rows * cols * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
        cellBuffer = new PixelBuffer<>(cols, rows, cellPixels, PixelFormat.getIntArgbPreInstance());
        cellImage = new WritableImage(cellBuffer);
    }

    /** Records that values, scale or range changed; the next layout pass works out range, legend and colours. */
    private void invalidateValues() {
        valuesDirty = true;
        cellsDirty = true;
        requestLayout();
    }

    /**
     * When values, scale or range changed: recomputes the range if automatic, updates the legend and forgets
     * the coloured cells, so that the visible ones are coloured again when drawn.
     */
    private void refreshValues() {
        if (!valuesDirty) {
            return;
        }
        valuesDirty = false;
        int count = rows * cols;
        maskedCount = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            double value = values[i];
            if (Double.isFinite(value)) {
                min = Math.min(min, value);
                max = Math.max(max, value);
            } else {
                maskedCount++;
            }
        }
        if (autoRange) {
            chooseAutoRange(min, max);
        }
        Arrays.fill(colouredCells, 0);
        cellsDirty = true;
        drawLegendBar();
    }

    private void chooseAutoRange(double min, double max) {
        if (min > max) {
            lo = scale == ColorScale.DIVERGING ? -1 : 0;
            hi = 1;
        } else if (scale == ColorScale.DIVERGING) {
            double extent = Math.max(Math.abs(min), Math.abs(max));
            lo = extent == 0 ? -1 : -extent;
            hi = extent == 0 ? 1 : extent;
        } else if (min >= 0 && max <= 1) {
            lo = 0;
            hi = 1;
        } else {
            lo = min;
            hi = max;
        }
    }

    /** Writes the colours of the cells in {@code cells} (first row, first column, row count, column count) into the image. */
    private void writePixels(int[] cells) {
        double slope = scale.indexSlope(lo, hi);
        double offset = scale.indexOffset(lo, hi);
        double lowIndex = lo * slope + offset;
        double highIndex = hi * slope + offset;
        int[] table = scale.table();
        int firstRow = cells[0];
        int firstColumn = cells[1];
        int rowCount = cells[2];
        int columnCount = cells[3];
        for (int row = firstRow; row < firstRow + rowCount; row++) {
            int start = row * cols + firstColumn;
            for (int c = 0; c < columnCount; c++) {
                double value = values[start + c];
                if (Double.isFinite(value)) {
                    double index = value * slope + offset;
                    index = index < lowIndex ? lowIndex : index > highIndex ? highIndex : index;
                    rowColours[c] = table[(int) (index + 0.5)];
                } else {
                    rowColours[c] = 0; // transparent: the hatch below shows through
                }
            }
            cellPixels.put(start, rowColours, 0, columnCount);
        }
        cellBuffer.updateBuffer(buffer -> new Rectangle2D(firstColumn, firstRow, columnCount, rowCount));
        System.arraycopy(cells, 0, colouredCells, 0, 4);
    }

    /** True when every cell of {@code cells} already has its colour in the image. */
    private boolean coloured(int[] cells) {
        return cells[0] >= colouredCells[0] && cells[1] >= colouredCells[1]
                && cells[0] + cells[2] <= colouredCells[0] + colouredCells[2]
                && cells[1] + cells[3] <= colouredCells[1] + colouredCells[3];
    }

    /**
     * Which cells are visible: the grid intersected with the clip of every ancestor and with the scene, in
     * whole cells. Writes first row, first column, row count, column count into {@code visibleCells}.
     */
    private void findVisibleCells(double gridX, double gridY, double size) {
        double left = gridX;
        double top = gridY;
        double right = gridX + cols * size;
        double bottom = gridY + rows * size;
        Scene scene = getScene();
        if (scene != null) {
            for (Parent ancestor = getParent(); ancestor != null; ancestor = ancestor.getParent()) {
                if (ancestor.getClip() == null) {
                    continue; // children may overflow an ancestor that does not clip, and stay visible
                }
                Bounds bounds = sceneToLocal(ancestor.localToScene(ancestor.getClip().getBoundsInParent()));
                left = Math.max(left, bounds.getMinX());
                top = Math.max(top, bounds.getMinY());
                right = Math.min(right, bounds.getMaxX());
                bottom = Math.min(bottom, bounds.getMaxY());
            }
            Bounds window = sceneToLocal(new BoundingBox(0, 0, scene.getWidth(), scene.getHeight()));
            left = Math.max(left, window.getMinX());
            top = Math.max(top, window.getMinY());
            right = Math.min(right, window.getMaxX());
            bottom = Math.min(bottom, window.getMaxY());
        } else {
            right = Math.min(right, gridX + MAX_CANVAS);
            bottom = Math.min(bottom, gridY + MAX_CANVAS);
        }
        int firstColumn = (int) Math.max(0, Math.floor((left - gridX) / size));
        int firstRow = (int) Math.max(0, Math.floor((top - gridY) / size));
        int endColumn = (int) Math.min(cols, Math.ceil((right - gridX) / size));
        int endRow = (int) Math.min(rows, Math.ceil((bottom - gridY) / size));
        visibleCells[0] = firstRow;
        visibleCells[1] = firstColumn;
        visibleCells[2] = Math.max(0, endRow - firstRow);
        visibleCells[3] = Math.max(0, endColumn - firstColumn);
    }

    /** Draws the visible cells on the canvas when the values, the zoom or the visible part changed. */
    private void drawCells(double gridX, double gridY, double size) {
        findVisibleCells(gridX, gridY, size);
        boolean moved = !Arrays.equals(visibleCells, drawnCells);
        cellCanvas.setLayoutX(gridX + visibleCells[1] * size);
        cellCanvas.setLayoutY(gridY + visibleCells[0] * size);
        double width = visibleCells[3] * size;
        double height = visibleCells[2] * size;
        boolean resized = cellCanvas.getWidth() != width || cellCanvas.getHeight() != height;
        if (!cellsDirty && !moved && !resized) {
            return;
        }
        cellsDirty = false;
        System.arraycopy(visibleCells, 0, drawnCells, 0, 4);
        cellCanvas.setWidth(width);
        cellCanvas.setHeight(height);
        if (cellImage == null || width == 0 || height == 0) {
            return;
        }
        if (!coloured(visibleCells)) {
            writePixels(visibleCells);
        }
        GraphicsContext graphics = cellCanvas.getGraphicsContext2D();
        if (maskedCount > 0) {
            graphics.setFill(hatch);
            graphics.fillRect(0, 0, width, height);
        } else {
            graphics.clearRect(0, 0, width, height);
        }
        // image [visible rows × visible columns] pixels → canvas [rows·size × columns·size] pixels
        graphics.drawImage(cellImage, visibleCells[1], visibleCells[0], visibleCells[3], visibleCells[2],
                0, 0, width, height);
    }

    private void drawLegendBar() {
        int width = (int) LEGEND_BAR_WIDTH;
        int height = (int) LEGEND_BAR_HEIGHT;
        for (int x = 0; x < width; x++) {
            int colour = scale.argb(lo + (hi - lo) * x / (width - 1), lo, hi);
            for (int y = 0; y < height; y++) {
                legendPixels[y * width + x] = colour;
            }
        }
        legendImage.getPixelWriter().setPixels(0, 0, width, height, PixelFormat.getIntArgbInstance(), legendPixels, 0,
                width);
        legendLow.setText(NumberText.compact(lo));
        legendHigh.setText(NumberText.compact(hi));
    }

    private static ImagePattern hatchPattern() {
        int tile = 8;
        WritableImage image = new WritableImage(tile, tile);
        for (int y = 0; y < tile; y++) {
            for (int x = 0; x < tile; x++) {
                boolean stripe = Math.floorMod(x + y, tile) < 2;
                image.getPixelWriter().setArgb(x, y, stripe ? 0xff8c8c8c : 0xffe6e6e6);
            }
        }
        return new ImagePattern(image, 0, 0, tile, tile, false);
    }

    // ---------------------------------------------------------------- labels

    private List<String> effectiveRowLabels() {
        return rowLabels != null ? rowLabels : indexLabels(rows);
    }

    private List<String> effectiveColumnLabels() {
        return columnLabels != null ? columnLabels : indexLabels(cols);
    }

    private static List<String> indexLabels(int count) {
        List<String> labels = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            labels.add(Integer.toString(i));
        }
        return labels;
    }

    /** Rebuilds the label nodes when labels, sizes or the cell size changed; skips labels that would overlap. */
    private void updateLabels() {
        if (!labelsDirty) {
            return;
        }
        labelsDirty = false;
        double size = cellSize.get();
        Text probe = new Text("Mg");
        probe.setFont(LABEL_FONT);
        double lineHeight = probe.getLayoutBounds().getHeight();

        List<String> rowTexts = effectiveRowLabels();
        int rowsLabelled = Math.min(rows, rowTexts.size());
        rowLabelStride = niceStride(Math.ceil(lineHeight / size));
        int used = 0;
        rowLabelWidth = 0;
        for (int row = 0; row < rowsLabelled; row += rowLabelStride) {
            Text text = label(rowLabelPool, used++);
            text.setText(shorten(rowTexts.get(row)));
            text.setTextOrigin(VPos.CENTER);
            text.setUserData(row);
            rowLabelWidth = Math.max(rowLabelWidth, Math.min(MAX_ROW_LABEL_WIDTH, text.getLayoutBounds().getWidth()));
        }
        showFirst(rowLabelGroup, rowLabelPool, used);

        List<String> columnTexts = effectiveColumnLabels();
        int columnsLabelled = Math.min(cols, columnTexts.size());
        double widest = 0;
        boolean numeric = true;
        for (int col = 0; col < columnsLabelled; col++) {
            String shortened = shorten(columnTexts.get(col));
            widest = Math.max(widest, labelWidth(probe, shortened));
            numeric &= shortened.chars().allMatch(Character::isDigit);
        }
        int horizontalStride = niceStride(Math.ceil((widest + LABEL_GAP) / size));
        columnLabelsVertical = !numeric && horizontalStride > 1;
        columnLabelStride = columnLabelsVertical ? niceStride(Math.ceil(lineHeight / size)) : horizontalStride;
        used = 0;
        for (int col = 0; col < columnsLabelled; col += columnLabelStride) {
            Text text = label(columnLabelPool, used++);
            text.setText(shorten(columnTexts.get(col)));
            text.setUserData(col);
            text.setTextOrigin(columnLabelsVertical ? VPos.CENTER : VPos.BOTTOM);
            text.getTransforms().setAll(columnLabelsVertical ? List.of(new Rotate(-90)) : List.of());
        }
        showFirst(columnLabelGroup, columnLabelPool, used);
        if (columnsLabelled == 0) {
            columnLabelHeight = 0;
        } else {
            columnLabelHeight = LABEL_GAP + (columnLabelsVertical ? Math.min(MAX_COLUMN_LABEL_LENGTH, widest) : lineHeight);
        }
    }

    /**
     * Makes the first {@code count} labels of {@code pool} the children of {@code group}. The children are always
     * a prefix of the pool, so only the difference is added or removed: a label that stays in the scene keeps its
     * style and is not styled again.
     */
    private static void showFirst(Group group, List<Text> pool, int count) {
        javafx.collections.ObservableList<javafx.scene.Node> children = group.getChildren();
        if (children.size() > count) {
            children.remove(count, children.size());
        } else if (children.size() < count) {
            children.addAll(pool.subList(children.size(), count));
        }
    }

    /** Width of {@code text} in the label font, measured with {@code probe} the first time a text is seen. */
    private static double labelWidth(Text probe, String text) {
        Double known = LABEL_WIDTHS.get(text);
        if (known != null) {
            return known;
        }
        if (LABEL_WIDTHS.size() >= LABEL_WIDTHS_LIMIT) {
            LABEL_WIDTHS.clear();
        }
        probe.setText(text);
        double width = probe.getLayoutBounds().getWidth();
        LABEL_WIDTHS.put(text, width);
        return width;
    }

    private Text label(List<Text> pool, int index) {
        while (pool.size() <= index) {
            Text text = new Text();
            text.getStyleClass().add("viz-heatmap-label");
            text.setMouseTransparent(true);
            text.setFont(LABEL_FONT);
            pool.add(text);
        }
        return pool.get(index);
    }

    private static String shorten(String label) {
        String text = label == null ? "" : label;
        return text.length() <= MAX_LABEL_CHARACTERS ? text : text.substring(0, MAX_LABEL_CHARACTERS - 1) + "…";
    }

    /** The smallest of 1, 2, 5, 10, 20, 50 … that is at least {@code minimum}. */
    private static int niceStride(double minimum) {
        int decade = 1;
        while (true) {
            for (int nice : NICE_STRIDES) {
                if (nice * decade >= minimum) {
                    return nice * decade;
                }
            }
            decade *= 10;
        }
    }

    /** Row labels shown now, in order (labels skipped to avoid overlap are absent). */
    List<Text> visibleRowLabels() {
        updateLabels();
        return rowLabelGroup.getChildren().stream().map(Text.class::cast).toList();
    }

    /** Column labels shown now, in order (labels skipped to avoid overlap are absent). */
    List<Text> visibleColumnLabels() {
        updateLabels();
        return columnLabelGroup.getChildren().stream().map(Text.class::cast).toList();
    }

    // ---------------------------------------------------------------- layout

    private double titleHeight() {
        return title.getText().isEmpty() ? 0 : title.getLayoutBounds().getHeight() + LABEL_GAP;
    }

    private double gridX() {
        updateLabels();
        return Math.ceil(snappedLeftInset() + PADDING + (rowLabelWidth > 0 ? rowLabelWidth + LABEL_GAP : 0));
    }

    private double gridY() {
        updateLabels();
        return Math.ceil(snappedTopInset() + PADDING + titleHeight() + columnLabelHeight);
    }

    private double legendHeight() {
        return LABEL_GAP * 2 + LEGEND_BAR_HEIGHT + legendLow.getLayoutBounds().getHeight() + 2;
    }

    @Override
    protected double computePrefWidth(double height) {
        double grid = gridX() + cols * cellSize.get();
        double legend = gridX() + LEGEND_BAR_WIDTH + 3 * LABEL_GAP + legendMaskSwatch.getWidth()
                + legendMaskText.getLayoutBounds().getWidth();
        double heading = snappedLeftInset() + PADDING + title.getLayoutBounds().getWidth();
        return Math.max(Math.max(grid, legend), heading) + PADDING + snappedRightInset();
    }

    @Override
    protected double computePrefHeight(double width) {
        double grid = rows == 0 ? emptyText.getLayoutBounds().getHeight() : rows * cellSize.get();
        return gridY() + grid + legendHeight() + PADDING + snappedBottomInset();
    }

    @Override
    protected double computeMinWidth(double height) {
        return computePrefWidth(height);
    }

    @Override
    protected double computeMinHeight(double width) {
        return computePrefHeight(width);
    }

    @Override
    protected void layoutChildren() {
        refreshValues();
        updateLabels();
        double size = cellSize.get();
        double left = snappedLeftInset() + PADDING;
        double gridX = gridX();
        double gridY = gridY();
        double gridWidth = cols * size;
        double gridHeight = rows * size;

        title.relocate(left, snappedTopInset() + PADDING);
        emptyText.setVisible(rows == 0 || cols == 0);
        emptyText.relocate(gridX, gridY);

        boolean hasCells = rows > 0 && cols > 0;
        drawCells(gridX, gridY, size);

        for (Node label : rowLabelGroup.getChildren()) {
            Text text = (Text) label;
            int row = (Integer) text.getUserData();
            text.setLayoutX(gridX - LABEL_GAP - text.getLayoutBounds().getWidth());
            text.setLayoutY(gridY + (row + 0.5) * size);
        }
        for (Node label : columnLabelGroup.getChildren()) {
            Text text = (Text) label;
            int col = (Integer) text.getUserData();
            double centre = gridX + (col + 0.5) * size;
            if (columnLabelsVertical) {
                text.setLayoutX(centre);
                text.setLayoutY(gridY - LABEL_GAP);
            } else {
                text.setLayoutX(centre - text.getLayoutBounds().getWidth() / 2);
                text.setLayoutY(gridY - LABEL_GAP / 2);
            }
        }

        int row = highlightedRow.get();
        placeOutline(rowFrame, row >= 0 && row < rows, gridX, gridY + row * size, gridWidth, size);
        placeCellOutline(hoverOutline, hoveredCell.get(), gridX, gridY, size);
        placeCellOutline(pinnedOutline, pinnedCell.get(), gridX, gridY, size);

        double legendY = gridY + (hasCells ? gridHeight : emptyText.getLayoutBounds().getHeight()) + 2 * LABEL_GAP;
        layoutLegend(gridX, legendY);
    }

    private void placeCellOutline(Rectangle outline, Cell cell, double gridX, double gridY, double size) {
        boolean inside = cell != null && cell.row() < rows && cell.col() < cols;
        placeOutline(outline, inside, gridX + (inside ? cell.col() * size : 0),
                gridY + (inside ? cell.row() * size : 0), size, size);
    }

    private static void placeOutline(Rectangle outline, boolean visible, double x, double y, double width,
            double height) {
        outline.setVisible(visible);
        if (visible) {
            double stroke = outline.getStrokeWidth();
            outline.setX(x - stroke / 2);
            outline.setY(y - stroke / 2);
            outline.setWidth(width + stroke);
            outline.setHeight(height + stroke);
        }
    }

    private void layoutLegend(double x, double y) {
        boolean hasCells = rows > 0 && cols > 0;
        for (Node node : List.of(legendBar, legendFrame, legendLow, legendHigh)) {
            node.setVisible(hasCells);
        }
        legendBar.relocate(x, y);
        legendFrame.relocate(x, y);
        double textY = y + LEGEND_BAR_HEIGHT + 2;
        legendLow.relocate(x, textY);
        legendHigh.relocate(x + LEGEND_BAR_WIDTH - legendHigh.getLayoutBounds().getWidth(), textY);
        boolean zeroInside = lo < 0 && hi > 0;
        legendZero.setVisible(hasCells && zeroInside);
        if (zeroInside) {
            double zeroX = x + LEGEND_BAR_WIDTH * (-lo) / (hi - lo);
            legendZero.relocate(zeroX - legendZero.getLayoutBounds().getWidth() / 2, textY);
        }
        boolean showMask = hasCells && maskedCount > 0;
        legendMaskSwatch.setVisible(showMask);
        legendMaskText.setVisible(showMask);
        double maskX = x + LEGEND_BAR_WIDTH + 3 * LABEL_GAP;
        legendMaskSwatch.relocate(maskX, y);
        legendMaskText.relocate(maskX + legendMaskSwatch.getWidth() + LABEL_GAP,
                y + LEGEND_BAR_HEIGHT / 2 - legendMaskText.getLayoutBounds().getHeight() / 2);
    }
}
